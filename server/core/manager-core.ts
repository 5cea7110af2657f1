// The manager core: registry, object table, names, sessions and dispatch, with no I/O. The
// WebSocket daemon and the in-process localManager() both drive it with encoded frames.

import pino, { type Logger } from 'pino'
import {
  CloseCode,
  Decoder,
  Tag,
  TooManyInFlightError,
  UnknownTypeError,
  type CloseCode as CloseCodeT,
  type DebugInfo,
  type DebugInfoOptions,
  type Hello,
} from '../../protocol'
import { enterCall, leaveCall } from './call-context'
import { buildDebugInfo } from './debug-info'
import { Dispatcher } from './dispatcher'
import { DanglingRef, type ObjectEntry } from './object-entry'
import { ObjectTable } from './object-table'
import { TypeRegistry, type TypeSpec } from './registry'
import { ReplyWriter } from './reply-writer'
import { ProxyResult, UserCodeError } from './server-methods'
import type { Peer, Session } from './session'
import { SessionStore } from './session-store'

export interface CoreOptions {
  /** The address put in tokens (the daemon's advertised URL). */
  address: string
  log?: Logger
  /** Send stacks of remote errors to clients. Default false. */
  sendErrorStacks?: boolean
  /** How long a dropped session waits to be resumed. Default 30 000 ms. */
  sessionGraceMs?: number
  /** Called when a client calls shutdown(). */
  onShutdownRequest?: (reason: string) => void
  /** Most calls one session may have parked at once. Default 10 000. */
  maxInFlight?: number
}

/** What the transport must do after a frame: nothing, or close the connection. */
export type ReceiveOutcome = null | { close: CloseCodeT; reason: string }

const EMPTY_EXPOSED: ReadonlySet<string> = new Set()

export class ManagerCore {
  readonly registry = new TypeRegistry()
  readonly table: ObjectTable
  readonly names = new Map<string, ObjectEntry>()
  readonly sessions: SessionStore
  readonly replies: ReplyWriter
  readonly dispatcher: Dispatcher
  readonly log: Logger
  readonly startedAt = Date.now()
  readonly #decoder: Decoder
  #dangling = 0
  readonly #maxInFlight: number
  #onShutdownRequest: ((reason: string) => void) | undefined

  constructor(options: CoreOptions) {
    this.log = options.log ?? pino({ level: 'silent' })
    this.table = new ObjectTable(this.log)
    this.sessions = new SessionStore({ graceMs: options.sessionGraceMs ?? 30_000, log: this.log, table: this.table })
    this.replies = new ReplyWriter({ address: options.address, sendErrorStacks: options.sendErrorStacks ?? false })
    this.dispatcher = new Dispatcher(this, this.replies)
    this.#onShutdownRequest = options.onShutdownRequest
    this.#maxInFlight = options.maxInFlight ?? 10_000
    this.#decoder = new Decoder((typeid, id) => {
      const entry = this.table.get(id)
      if (entry !== undefined && entry.typeid === typeid) return entry
      this.#dangling++
      return new DanglingRef(id, typeid)
    })
  }

  get address(): string {
    return this.replies.address
  }

  set onShutdownRequest(fn: ((reason: string) => void) | undefined) {
    this.#onShutdownRequest = fn
  }

  requestShutdown(reason: string): void {
    this.#onShutdownRequest?.(reason)
  }

  /** Open (or resume) a session for an authenticated connection. */
  openSession(hello: Hello, peer: Peer, remoteAddress: string): ReturnType<SessionStore['open']> {
    return this.sessions.open(hello, peer, remoteAddress)
  }

  /**
   * Handle one inbound frame of a session: decode it, dispatch every request in it. Returns what
   * the transport must do about a frame that is not protocol (close with a documented code).
   */
  receive(session: Session, frame: Uint8Array): ReceiveOutcome {
    let message: unknown
    this.#dangling = 0
    try {
      message = this.#decoder.decode(frame)
    } catch (err) {
      return { close: CloseCode.INVALID_PAYLOAD, reason: `malformed frame: ${(err as Error).message}`.slice(0, 120) }
    }
    const suspect = this.#dangling > 0 || this.#decoder.stats.unknown > 0
    if (!Array.isArray(message) || message.length === 0) {
      return { close: CloseCode.PROTOCOL_ERROR, reason: 'a frame must hold a message or a batch (a non-empty array)' }
    }
    let outcome: ReceiveOutcome = null
    if (Array.isArray(message[0])) {
      for (const m of message) {
        outcome = this.#receiveMessage(session, m, suspect)
        // Stop at a bad message, and when the session ended mid-batch (the client was shed).
        if (outcome !== null || session.state !== 'connected') break
      }
    } else {
      outcome = this.#receiveMessage(session, message, suspect)
    }
    this.table.collect()
    return outcome
  }

  #receiveMessage(session: Session, m: unknown, suspect: boolean): ReceiveOutcome {
    if (!Array.isArray(m) || m.length === 0) {
      return { close: CloseCode.PROTOCOL_ERROR, reason: 'a batch may only hold messages (non-empty arrays)' }
    }
    const reqId = m[0]
    if (typeof reqId === 'number' || typeof reqId === 'bigint') {
      // A request id the client cannot be answered under (int64 decodes as a BigInt): no reply is possible.
      if (typeof reqId === 'bigint' || !Number.isSafeInteger(reqId) || reqId < 0) {
        return { close: CloseCode.PROTOCOL_ERROR, reason: 'request id must be an integer from 0 to 2^53 - 1' }
      }
      if (reqId > session.lastReqId) session.lastReqId = reqId
      const target = m[1]
      const method = m[2]
      const args = m[3]
      if (m.length !== 4 || (target !== null && typeof target !== 'string') || typeof method !== 'string' || !Array.isArray(args)) {
        this.replies.traceback(
          session,
          reqId,
          Object.assign(new Error('a request is [reqId, target: string | null, method: string, args: array]'), {
            name: 'BadArgumentsError',
            code: 'MANAGERD_ERR_BAD_ARGUMENTS',
          }),
        )
        return null
      }
      if (session.parked.size >= this.#maxInFlight) {
        if (!session.inFlightLimitLogged) {
          session.inFlightLimitLogged = true // once per session: a client at its limit would flood the log
          session.log.warn({ maxInFlight: this.#maxInFlight }, 'too many calls in flight; refusing more')
        }
        this.replies.traceback(session, reqId, new TooManyInFlightError(`this session already has ${this.#maxInFlight} calls parked`))
        return null
      }
      if (session.parked.has(reqId)) {
        this.replies.traceback(
          session,
          reqId,
          Object.assign(new Error(`request id ${reqId} is already in flight`), { name: 'BadArgumentsError', code: 'MANAGERD_ERR_BAD_ARGUMENTS' }),
        )
        return null
      }
      this.dispatcher.dispatch(session, reqId, target, method, args, suspect)
      return null
    }
    if (reqId === Tag.PING) {
      const pong = this.replies.pong(m[1] ?? null)
      if (pong === null) return { close: CloseCode.PROTOCOL_ERROR, reason: 'a #PING payload must be a plain value (no references)' }
      session.peer?.send(pong)
      return null
    }
    if (reqId === Tag.PONG) return null
    return { close: CloseCode.PROTOCOL_ERROR, reason: `unexpected message ${typeof reqId === 'string' ? reqId.slice(0, 32) : typeof reqId}` }
  }

  /** create(typeid, ...args): a new referent, with the caller as its first holder (via #PROXY). */
  create(spec: TypeSpec, args: unknown[], session: Session): ProxyResult | Promise<ProxyResult> {
    const entry = this.table.add(undefined, spec, EMPTY_EXPOSED)
    let made: unknown
    enterCall(this, session, entry, -1)
    try {
      made = spec.create!(...args)
    } catch (err) {
      this.table.freeIfUnheld(entry)
      throw new UserCodeError(err)
    } finally {
      leaveCall()
      session.settled(-1)
    }
    if (made instanceof Promise) {
      return made.then(
        (obj) => this.#complete(entry, obj),
        (err: unknown) => {
          this.table.freeIfUnheld(entry)
          throw new UserCodeError(err)
        },
      )
    }
    return this.#complete(entry, made)
  }

  /** CallContext.create: an object made during another's call. Its create must be synchronous. */
  createInCall(typeid: string, args: unknown[], session: Session): ObjectEntry {
    const spec = this.registry.get(typeid)
    if (spec?.create === undefined) throw new UnknownTypeError(`no creatable type '${typeid}' is registered`)
    let made: ProxyResult | Promise<ProxyResult>
    try {
      made = this.create(spec, args, session)
    } catch (err) {
      throw err instanceof UserCodeError ? err.cause : err
    }
    if (made instanceof Promise) {
      made.then((r) => this.table.freeIfUnheld(r.entry), () => {})
      throw new TypeError(`type '${typeid}' has an asynchronous create; only synchronous ones can be made during a call`)
    }
    return made.entry
  }

  #complete(entry: ObjectEntry, obj: unknown): ProxyResult {
    entry.obj = obj
    entry.exposed = this.registry.exposedFor(entry.spec, obj)
    return new ProxyResult(entry)
  }

  /** Make a method's result a shared object of `typeid` (methodToTypeid). */
  adopt(typeid: string, obj: unknown): ObjectEntry {
    const spec = this.registry.get(typeid)
    if (spec === undefined) throw new Error(`methodToTypeid names '${typeid}', which is not registered`)
    return this.table.add(obj, spec, this.registry.exposedFor(spec, obj))
  }

  /** A published name holds its object until unpublished or replaced. */
  publish(name: string, entry: ObjectEntry): void {
    const previous = this.names.get(name)
    if (previous === entry) return
    this.table.incref(entry)
    this.names.set(name, entry)
    if (previous !== undefined) this.table.decref(previous)
  }

  unpublish(name: string): boolean {
    const entry = this.names.get(name)
    if (entry === undefined) return false
    this.names.delete(name)
    this.table.decref(entry)
    return true
  }

  /** Who holds what: objects with their holders, sessions with what they hold; and counts. */
  debugInfo(options?: DebugInfoOptions): DebugInfo {
    return buildDebugInfo(this, options)
  }

  /** End every session and free everything (daemon stop, localManager close). */
  close(reason: string): void {
    this.sessions.endAll(reason)
    for (const name of [...this.names.keys()]) this.unpublish(name)
    this.table.collect()
  }
}

