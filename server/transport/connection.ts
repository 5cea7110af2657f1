// One WebSocket client connection: the handshake state machine, then frames in (to the core)
// and replies out (batched per tick into one frame). Nothing but the handshake is read before
// #WELCOME, nothing at all once the daemon has begun to close it, and no error on this
// connection can escape into the process.

import type { Logger } from 'pino'
import type WebSocket from 'ws'
import {
  CloseCode,
  PROTOCOL_VERSION,
  SUBPROTOCOL,
  Tag,
  newNonce,
  serverProof,
  type GoawayInfo,
  type Hello,
  type Limits,
  type WelcomeInfo,
} from '../../protocol'
import type { ManagerCore } from '../core/manager-core'
import type { CallClock } from '../metrics/call-clock'
import type { Peer, Session } from '../core/session'
import { checkAnswer } from './answer'
import { closeReason } from './close-reason'
import type { AuthThrottle } from './auth-throttle'
import { writeMessages } from './frame-writer'

/** Counters shared by all connections (metrics). */
export interface TransportStats {
  bytesIn: number
  bytesOut: number
  framesIn: number
  framesOut: number
  authFailures: number
  handshakeTimeouts: number
  handshakes: number
}

export interface ConnectionOptions {
  core: ManagerCore
  authkey: Buffer
  throttle: AuthThrottle
  handshakeTimeoutMs: number
  /** Outgoing bytes queued in the socket above which the client is shed as a slow consumer. */
  maxBufferedBytes: number
  /** Most sessions (connected or awaiting resume); a new one past it is closed with 4004. */
  maxSessions: number
  limits: Limits
  stats: TransportStats
  /** Times each frame's calls (metrics); null when metrics are off. */
  clock: CallClock | null
  log: Logger
}

type State = 'handshake' | 'authenticating' | 'ready' | 'closing' | 'closed'

/**
 * Replies queued in one tick go out as one frame, but a frame of a million tiny requests must not
 * queue a million replies first: past this many messages or bytes the outbox is written at once,
 * where the slow-consumer check sees it.
 */
const OUTBOX_MAX_MESSAGES = 4096
const OUTBOX_MAX_BYTES = 1024 * 1024

export class ClientConnection implements Peer {
  readonly #ws: WebSocket
  readonly #opts: ConnectionOptions
  readonly remoteAddress: string
  #state: State = 'handshake'
  #session: Session | null = null
  #outbox: Buffer[] = []
  #outboxBytes = 0
  #flushScheduled = false
  #serverNonce: Buffer = newNonce()
  #handshakeTimer: NodeJS.Timeout | undefined
  /** Set when the daemon closes for a violation: the session ends rather than waiting for resume. */
  #endSessionOnClose = false
  /** Last time anything arrived from the client (frames or pongs); read by the heartbeat sweep. */
  lastSeen = Date.now()
  #pingSeq = 0
  /** Pings not answered yet, as [seq, delivery-log mark] pairs (a pong confirms what came before). */
  readonly #pingMarks: number[] = []
  /** Called once the connection is closed (the connection set forgets it). */
  onClosed: (() => void) | undefined

  constructor(ws: WebSocket, remoteAddress: string, opts: ConnectionOptions) {
    this.#ws = ws
    this.remoteAddress = remoteAddress
    this.#opts = opts
  }

  get session(): Session | null {
    return this.#session
  }

  get ready(): boolean {
    return this.#state === 'ready'
  }

  /** The daemon has begun to close this connection (or it is closed). */
  get closing(): boolean {
    return this.#state === 'closing' || this.#state === 'closed'
  }

  start(): void {
    const ws = this.#ws
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      try {
        this.#onMessage(data, isBinary)
      } catch (err) {
        this.#opts.log.error({ err, remote: this.remoteAddress }, 'internal error on a connection')
        this.close(CloseCode.INTERNAL_ERROR, 'internal error', true)
      }
    })
    ws.on('pong', (data: Buffer) => {
      this.lastSeen = Date.now()
      this.#onPong(data)
    })
    ws.on('close', (code: number) => this.#onClose(code))
    ws.on('error', (err: Error) => {
      // ws reports oversized frames here (then closes with 1009): the session ends with it.
      this.#endSessionOnClose = true
      // ws's own WS_ERR_* codes are limit and protocol violations (a frame over --max-frame-bytes);
      // anything else (a reset) is the network's doing.
      const code = (err as { code?: unknown }).code
      const log = this.#session?.log ?? this.#opts.log
      if (typeof code === 'string' && code.startsWith('WS_ERR_')) log.warn({ err: err.message, code, remote: this.remoteAddress }, 'protocol violation; closing')
      else log.debug({ err: err.message, remote: this.remoteAddress }, 'connection error')
    })
    if (ws.protocol !== SUBPROTOCOL) {
      this.close(CloseCode.PROTOCOL_ERROR, `subprotocol ${SUBPROTOCOL} required`, true)
      return
    }
    this.#handshakeTimer = setTimeout(() => {
      if (this.#state === 'handshake' || this.#state === 'authenticating') {
        if (this.#state === 'handshake') this.#opts.stats.handshakeTimeouts++
        this.#opts.log.info({ remote: this.remoteAddress }, 'handshake timeout')
        this.close(CloseCode.HANDSHAKE_TIMEOUT, 'handshake timeout', true)
      }
    }, this.#opts.handshakeTimeoutMs)
    this.#sendNow([Tag.CHALLENGE, 'sha256', this.#serverNonce])
  }

  /** Peer: queue one encoded message; all messages queued in this tick go out as one frame. */
  send(message: Buffer): void {
    if (this.#state === 'closed' || this.#state === 'closing') return
    this.#outbox.push(message)
    this.#outboxBytes += message.byteLength
    if (this.#outbox.length >= OUTBOX_MAX_MESSAGES || this.#outboxBytes >= OUTBOX_MAX_BYTES) {
      this.#flush()
    } else if (!this.#flushScheduled) {
      this.#flushScheduled = true
      queueMicrotask(this.#flush)
    }
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false
    const outbox = this.#outbox
    if (outbox.length === 0 || this.#state === 'closed' || this.#state === 'closing') return
    this.#outbox = []
    this.#outboxBytes = 0
    this.#write(outbox)
  }

  /** One frame of `messages` (a batch when several) to the socket; shed the client if it stopped reading. */
  #write(messages: Buffer[]): void {
    const stats = this.#opts.stats
    stats.bytesOut += writeMessages(this.#ws, messages)
    stats.framesOut++
    if (this.#ws.bufferedAmount > this.#opts.maxBufferedBytes) {
      this.#opts.log.warn(
        { remote: this.remoteAddress, session: this.#session?.id, bufferedBytes: this.#ws.bufferedAmount },
        'slow consumer shed',
      )
      this.close(CloseCode.SLOW_CONSUMER, 'slow consumer: replies are not being read', true)
    }
  }

  #sendNow(message: unknown[]): void {
    this.#flush()
    this.#write([this.#opts.core.replies.control(message)])
  }

  /** Tell the client the daemon is draining. */
  goaway(info: GoawayInfo): void {
    if (this.#state !== 'ready') return
    this.#sendNow([Tag.GOAWAY, info])
  }

  /** Heartbeat sweep: give up on a peer silent for too long; else ping when `ping` is set. */
  heartbeat(now: number, timeoutMs: number, ping: boolean): void {
    if (this.#state === 'closed' || this.#state === 'closing') return
    if (now - this.lastSeen > timeoutMs) {
      this.#opts.log.info({ remote: this.remoteAddress, session: this.#session?.id, silentMs: now - this.lastSeen }, 'heartbeat timeout')
      this.#ws.terminate()
      return
    }
    if (!ping) return
    this.#flush()
    const seq = ++this.#pingSeq
    const log = this.#session?.peer === this ? this.#session.deliveryLog : null
    if (log !== null && log.size > 0) this.#pingMarks.push(seq, log.mark)
    try {
      this.#ws.ping(seq)
    } catch {
      // socket already closing
    }
  }

  /** The client answered ping `seq`: it has read every frame sent before that ping. */
  #onPong(data: Buffer): void {
    const marks = this.#pingMarks
    if (marks.length === 0) return
    const seq = Number(data.toString())
    let mark = -1
    let i = 0
    while (i < marks.length && marks[i]! <= seq) {
      mark = marks[i + 1]!
      i += 2
    }
    if (i === 0) return
    marks.splice(0, i)
    if (this.#session?.peer === this) this.#session.deliveryLog?.confirm(mark)
  }

  /**
   * Close the connection; from now on nothing it sends is read and nothing more is sent to it.
   * `endSession`: the session ends now (its calls cancelled, its references released) instead of
   * waiting for a resume — for a client that broke the protocol or was shed.
   */
  close(code: number, reason: string, endSession = false): void {
    if (this.#state === 'closed' || this.#state === 'closing') return
    this.#flush()
    // The flush may have shed the client (a close of its own): that one stands.
    if (this.closing) return
    const wasReady = this.#state === 'ready'
    this.#state = 'closing'
    clearTimeout(this.#handshakeTimer)
    this.#outbox = []
    if (endSession) this.#endSessionOnClose = true
    try {
      this.#ws.close(code, closeReason(reason))
    } catch {
      this.#ws.terminate()
    }
    // A peer that never answers the close handshake is cut after a second.
    setTimeout(() => {
      if (this.#ws.readyState !== this.#ws.CLOSED) this.#ws.terminate()
    }, 1000).unref()
    const session = this.#session
    if (endSession && wasReady && session !== null && session.peer === this) {
      this.#opts.core.sessions.end(session, `closed by the daemon (${code}: ${reason.slice(0, 60)})`)
    }
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    this.lastSeen = Date.now()
    const stats = this.#opts.stats
    stats.bytesIn += data.byteLength
    stats.framesIn++
    if (!isBinary) return this.close(CloseCode.UNSUPPORTED_DATA, 'binary frames only', true)
    if (this.#state === 'ready') {
      const session = this.#session!
      // Taken over by a resuming connection: this one is closing and speaks for nobody.
      if (session.peer !== this) return
      const clock = this.#opts.clock
      clock?.frameStart()
      const outcome = this.#opts.core.receive(session, data)
      clock?.frameEnd()
      if (outcome !== null) {
        session.log.warn({ code: outcome.close, reason: outcome.reason }, 'protocol violation; closing')
        this.close(outcome.close, outcome.reason, true)
      }
      return
    }
    if (this.#state === 'handshake') return this.#onAnswer(data)
    // 'authenticating' (a failure answer is pending) or 'closed': nothing else is read.
  }

  #onAnswer(data: Buffer): void {
    // The client answered in time; from here the throttle decides when the answer is checked.
    clearTimeout(this.#handshakeTimer)
    this.#state = 'authenticating'
    const admission = this.#opts.throttle.admit(this.remoteAddress)
    if (admission === null) {
      this.#opts.log.warn({ remote: this.remoteAddress }, 'authentication throttled: answer refused unchecked')
      return this.#refuse()
    }
    const { waitMs, attempt } = admission
    if (waitMs === 0) return this.#checkAnswer(data, attempt)
    this.#opts.log.debug({ remote: this.remoteAddress, waitMs }, 'authentication throttled: answer held')
    setTimeout(() => {
      if (this.#state === 'authenticating') this.#checkAnswer(data, attempt)
    }, waitMs).unref()
  }

  #checkAnswer(data: Buffer, attempt: number): void {
    const opts = this.#opts
    const answer = checkAnswer(data, opts.authkey, this.#serverNonce)
    if (answer === null) {
      opts.stats.authFailures++
      const delay = opts.throttle.failure(this.remoteAddress, attempt)
      opts.log.warn({ remote: this.remoteAddress, delayMs: delay }, 'authentication failed')
      return this.#refuse()
    }
    opts.throttle.success(this.remoteAddress)
    const hello: Hello = answer.hello
    const sessions = opts.core.sessions
    if (sessions.size >= opts.maxSessions && !sessions.resumable(hello.resume)) {
      opts.log.warn({ remote: this.remoteAddress, maxSessions: opts.maxSessions }, 'session limit reached')
      return this.close(CloseCode.TOO_MANY_SESSIONS, 'too many sessions')
    }
    opts.stats.handshakes++
    const { session, resumed, previousPeer } = opts.core.openSession(hello, this, this.remoteAddress)
    this.#session = session
    this.#state = 'ready'
    // Only pings can tell which replies arrived, so only with heartbeats is there a log to keep.
    if (this.#opts.limits.heartbeatMs > 0) session.logsDelivery = true
    const info: WelcomeInfo = {
      sessionId: session.id,
      resumeToken: session.resumeToken,
      resumed,
      address: opts.core.address,
      version: PROTOCOL_VERSION,
      limits: opts.limits,
      bootId: opts.core.table.bootId,
      lastReqId: session.lastReqId,
    }
    this.#sendNow([Tag.WELCOME, serverProof(opts.authkey, answer.clientNonce), info])
    if (previousPeer !== null && previousPeer !== this) {
      ;(previousPeer as ClientConnection).close(CloseCode.SESSION_ENDED, 'session resumed by another connection')
    }
  }

  /** Same message and code whatever failed. */
  #refuse(): void {
    if (this.#state !== 'authenticating') return
    this.#sendNow([Tag.FAILURE, 'authentication failed'])
    this.close(CloseCode.AUTH_FAILED, 'authentication failed')
  }

  #onClose(code: number): void {
    const hadSession = this.#state === 'ready' || this.#state === 'closing'
    this.#state = 'closed'
    clearTimeout(this.#handshakeTimer)
    this.#outbox = []
    const session = this.#session
    // A session taken over by a resuming connection is not this connection's any more.
    if (hadSession && session !== null && session.peer === this) {
      const sessions = this.#opts.core.sessions
      if (code === CloseCode.NORMAL || this.#endSessionOnClose) sessions.end(session, code === CloseCode.NORMAL ? 'closed by the client' : `closed (${code})`)
      else sessions.detach(session)
    }
    this.onClosed?.()
  }
}

