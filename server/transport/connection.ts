// One WebSocket client connection: its states (handshake → ready → closing → closed), then frames
// in (to the core) and replies out (batched per tick into one frame), heartbeats and shedding.
// Nothing but the handshake (handshake.ts) is read before #WELCOME, nothing at all once the
// daemon has begun to close it, and no error on this connection can escape into the process.

import type WebSocket from 'ws'
import { CloseCode, SUBPROTOCOL, Tag, newNonce, type GoawayInfo } from '../../protocol'
import { defer } from '../../protocol/defer'
import { installFastRead } from '../../protocol/ws-fast-read'
import type { CallClock } from '../metrics/call-clock'
import type { Peer, Session } from '../core/session'
import { closeReason } from './close-reason'
import { writeMessages } from './frame-writer'
import { acceptAnswer, admitAnswer, type AnswerOutcome, type HandshakeOptions } from './handshake'
import { PingMarks } from './ping-marks'

export interface ConnectionOptions extends HandshakeOptions {
  handshakeTimeoutMs: number
  /** Outgoing bytes queued in the socket above which the client is shed as a slow consumer. */
  maxBufferedBytes: number
  /** Times each frame's calls (metrics); null when metrics are off. */
  clock: CallClock | null
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
  readonly #pings = new PingMarks()
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
        this.#internalError(err, 'internal error on a connection')
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
    // Whole binary frames skip ws's Receiver stream; everything else still goes through ws.
    installFastRead(ws)
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
      defer(this.#flush)
    }
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false
    const outbox = this.#outbox
    if (outbox.length === 0 || this.#state === 'closed' || this.#state === 'closing') return
    this.#outbox = []
    this.#outboxBytes = 0
    try {
      this.#write(outbox)
    } catch (err) {
      // Deferred, this runs outside the message handler's guard: a failure ends this connection only.
      this.#internalError(err, 'internal error writing replies')
    }
  }

  /** A bug met on this connection: logged, and this connection (its session too) ends with 1011. */
  #internalError(err: unknown, what: string): void {
    this.#opts.log.error({ err, remote: this.remoteAddress }, what)
    this.close(CloseCode.INTERNAL_ERROR, 'internal error', true)
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
    const log = this.#session?.peer === this ? this.#session.deliveryLog : null
    try {
      this.#ws.ping(this.#pings.next(log !== null && log.size > 0 ? log.mark : null))
    } catch {
      // socket already closing
    }
  }

  /** The client answered a ping: it has read every frame sent before it. */
  #onPong(data: Buffer): void {
    const mark = this.#pings.answered(data)
    if (mark !== null && this.#session?.peer === this) this.#session.deliveryLog?.confirm(mark)
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
    admitAnswer(
      this.#opts,
      this.remoteAddress,
      (attempt) => {
        if (this.#state !== 'authenticating') return // closed while the answer was held
        this.#opened(acceptAnswer(this.#opts, data, this.#serverNonce, attempt, this, this.remoteAddress))
      },
      () => this.#refuse(),
    )
  }

  #opened(outcome: AnswerOutcome): void {
    if (outcome.kind === 'refused') return this.#refuse()
    if (outcome.kind === 'full') return this.close(CloseCode.TOO_MANY_SESSIONS, 'too many sessions')
    this.#session = outcome.session
    this.#state = 'ready'
    this.#sendNow(outcome.welcome)
    const previous = outcome.previousPeer
    if (previous !== null && previous !== this) {
      ;(previous as ClientConnection).close(CloseCode.SESSION_ENDED, 'session resumed by another connection')
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

