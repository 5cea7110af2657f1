// Message shapes of wire protocol v1: handshake, requests, replies and server-initiated frames.
// Each WebSocket frame holds one msgpack value: a message (an array whose first element is an
// integer or a '#TAG' string) or a batch (an array whose first element is itself an array).

import type { Token } from './token'

/** Handshake and control tags. A tag is always the first element of its message. */
export const Tag = {
  CHALLENGE: '#CHALLENGE',
  ANSWER: '#ANSWER',
  WELCOME: '#WELCOME',
  FAILURE: '#FAILURE',
  /** server → client keep-alive; the client answers with PONG. Either side may send it. */
  PING: '#PING',
  PONG: '#PONG',
  /** server → client: the daemon is draining; finish in-flight calls, then reconnect later. */
  GOAWAY: '#GOAWAY',
} as const
export type Tag = (typeof Tag)[keyof typeof Tag]

/** The five reply kinds of managers.py's dispatch, plus nothing else. */
export const ReplyKind = {
  RETURN: '#RETURN',
  ERROR: '#ERROR',
  TRACEBACK: '#TRACEBACK',
  PROXY: '#PROXY',
  UNSERIALIZABLE: '#UNSERIALIZABLE',
} as const
export type ReplyKind = (typeof ReplyKind)[keyof typeof ReplyKind]

const replyKinds: ReadonlySet<string> = new Set(Object.values(ReplyKind))
export function isReplyKind(value: unknown): value is ReplyKind {
  return typeof value === 'string' && replyKinds.has(value)
}

/** Method names the dispatcher reserves on every object (never user methods). */
export const ObjectMethod = {
  /** Return a copy of the referent's value (managers.py `#GETVALUE`). */
  GETVALUE: '#GETVALUE',
} as const

/** Server methods: the daemon's public allow-list (managers.py `Server.public`). */
export const SERVER_METHODS = [
  'create',
  'getMethods',
  'incref',
  'decref',
  'numberOfObjects',
  'debugInfo',
  'dummy',
  'shutdown',
  'publish',
  'lookup',
  'unpublish',
  'listTypes',
] as const
export type ServerMethod = (typeof SERVER_METHODS)[number]

// ---- handshake -------------------------------------------------------------------------------

export type ChallengeMessage = readonly [typeof Tag.CHALLENGE, 'sha256', Uint8Array]
export interface Hello {
  name?: string
  /** The resume token of an earlier session, to take it over (within its grace period). */
  resume?: string
  /**
   * With `resume`: ids of the requests of the earlier connection that got no reply. References
   * their replies counted (lost with the link) are released instead of leaking into the session.
   */
  lost?: number[]
}
export type AnswerMessage = readonly [typeof Tag.ANSWER, Uint8Array, Uint8Array, Hello]

export interface Limits {
  maxFrameBytes: number
  maxInFlight: number
  heartbeatMs: number
  sessionGraceMs: number
}
export interface WelcomeInfo {
  sessionId: string
  resumeToken: string
  /** True when `hello.resume` named a live session and this connection took it over. */
  resumed: boolean
  address: string
  version: number
  limits: Limits
  /** The daemon's per-boot id (the prefix of its object ids): a new one means a restarted daemon. */
  bootId: string
  /**
   * The highest request id the daemon has received from this session (0 for a new one). On a
   * resume it tells which requests in flight at the drop reached the daemon.
   */
  lastReqId: number
}
export type WelcomeMessage = readonly [typeof Tag.WELCOME, Uint8Array, WelcomeInfo]
export type FailureMessage = readonly [typeof Tag.FAILURE, string]

// ---- calls -----------------------------------------------------------------------------------

/** client → server: `[reqId, target, method, args]`; `target` null calls a server method. */
export type Request = [reqId: number, target: string | null, method: string, args: unknown[]]

export interface ProxyPayload {
  token: Token
  exposed: string[]
}
export interface ErrorPayload {
  name: string
  message: string
  code?: string
  data?: unknown
  stack?: string
}
export interface TracebackPayload {
  name: string
  message: string
  trace: string
  code?: string
}
export interface UnserializablePayload {
  repr: string
}

export type Reply =
  | [reqId: number, kind: typeof ReplyKind.RETURN, payload: unknown]
  | [reqId: number, kind: typeof ReplyKind.PROXY, payload: ProxyPayload]
  | [reqId: number, kind: typeof ReplyKind.ERROR, payload: ErrorPayload]
  | [reqId: number, kind: typeof ReplyKind.TRACEBACK, payload: TracebackPayload]
  | [reqId: number, kind: typeof ReplyKind.UNSERIALIZABLE, payload: UnserializablePayload]

export interface GoawayInfo {
  reason: string
  /** Milliseconds the daemon waits for in-flight calls before it closes the socket. */
  deadlineMs: number
}

/**
 * WebSocket close codes the daemon uses. 1000–1011 keep their RFC 6455 meaning; 4000–4999 is the
 * application range. Documented in protocol/PROTOCOL.md.
 */
export const CloseCode = {
  /** Normal close: the client said goodbye, or the daemon finished draining. */
  NORMAL: 1000,
  /** The daemon is shutting down (sent after GOAWAY and the drain deadline). */
  GOING_AWAY: 1001,
  /** Valid msgpack that is not a protocol message (wrong shape, unknown tag, handshake out of turn). */
  PROTOCOL_ERROR: 1002,
  /** A text frame: the protocol is binary only. */
  UNSUPPORTED_DATA: 1003,
  /** The frame is not one valid msgpack value (garbage, truncated, trailing bytes). */
  INVALID_PAYLOAD: 1007,
  /** The frame exceeds the daemon's maximum frame size. */
  MESSAGE_TOO_BIG: 1009,
  /** The daemon hit an internal error on this connection. */
  INTERNAL_ERROR: 1011,
  /** The handshake failed (wrong key, bad answer). The same code whatever failed. */
  AUTH_FAILED: 4001,
  /** No valid #ANSWER within the handshake timeout. */
  HANDSHAKE_TIMEOUT: 4002,
  /** The session was ended by the daemon (e.g. another connection resumed it). */
  SESSION_ENDED: 4003,
  /** The daemon has as many sessions as it allows. */
  TOO_MANY_SESSIONS: 4004,
  /** The client does not read its replies fast enough (outgoing buffer over the cap). */
  SLOW_CONSUMER: 4006,
  /** No frame from the peer within twice the heartbeat interval. */
  HEARTBEAT_TIMEOUT: 4007,
} as const
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode]

/** True when `frame` (a decoded msgpack value) is a batch of messages rather than one message. */
export function isBatch(frame: unknown[]): boolean {
  return Array.isArray(frame[0])
}
