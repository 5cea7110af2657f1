// The client's RPC layer over a session link: request ids, many calls in flight (pipelining),
// requests batched per tick into one frame, per-call timeouts, batched decrefs — and what a
// dropped link means for each call and decref (session-link.ts reconnects; replies.ts decodes
// and matches the replies).

import { EventEmitter } from 'node:events'
import {
  CloseCode,
  CallTimeoutError,
  Encoder,
  ManagerClosedError,
  ProtocolError,
  SessionLostError,
  StaleProxyError,
  UnserializableError,
  joinBatch,
  type GoawayInfo,
  type ProxyPayload,
  type WelcomeInfo,
} from '../protocol'
import { defer } from '../protocol/defer'
import { Deadlines } from './deadlines'
import type { Link } from './links/link'
import { BaseProxy, proxyRef, type ProxyHost } from './proxy'
import { Replies, type Pending } from './replies'
import { SessionLink, type DisconnectInfo, type ReconnectInfo, type SessionLostInfo } from './session-link'

/** The most lost request ids a resume lists: the daemon's delivery log size (DELIVERY_LOG_MAX). */
const LOST_IDS_MAX = 8192

/** A decref in flight. If the link drops first, the resume's lastReqId tells whether it arrived. */
class DecrefCall implements Pending {
  readonly internal = true
  constructor(
    readonly reqId: number,
    readonly id: string,
    readonly n: number,
  ) {}
  resolve(): void {} // nobody awaits a decref; a failure (the object is long gone) needs nothing
  reject(): void {}
}

/** A call made while the link is down: sent once it is back (unless it timed out meanwhile). */
interface HeldCall {
  reqId: number
  bytes: Buffer
  target: string | null
}

export interface ConnectionEvents {
  goaway: [GoawayInfo]
  disconnect: [DisconnectInfo]
  sessionLost: [SessionLostInfo]
  reconnect: [ReconnectInfo]
  close: [Error]
}

export class Connection extends EventEmitter<ConnectionEvents> implements ProxyHost {
  readonly #link: SessionLink
  /** Bumped when the session is lost: proxies of an older epoch are stale. */
  epoch = 1
  /** Default per-call timeout in ms (0 = none). */
  callTimeoutMs: number
  readonly #encoder: Encoder
  readonly #replies: Replies
  /** Never reset, not even across a reconnect: a late reply can never match a newer call. */
  #nextReqId = 1
  readonly #pending = new Map<number, Pending>()
  /** Timed-out calls whose reply may still come: it is decoded and its references released. */
  readonly #abandoned = new Set<number>()
  readonly #deadlines: Deadlines
  #outbox: Buffer[] = []
  #flushScheduled = false
  readonly #decrefs = new Map<string, number>()
  /** Non-null while the link is down: calls made meanwhile. */
  #held: HeldCall[] | null = null
  /** Decrefs that were in flight when the link dropped. */
  #unconfirmed: DecrefCall[] = []
  #closed: Error | null = null

  constructor(link: Link | SessionLink, options: { callTimeoutMs?: number } = {}) {
    super()
    this.#link = link instanceof SessionLink ? link : new SessionLink(link, { hello: {}, policy: null })
    this.callTimeoutMs = options.callTimeoutMs ?? 0
    this.#encoder = new Encoder({
      cls: BaseProxy,
      toWire: (proxy: BaseProxy) => {
        const ref = proxyRef(proxy)
        if (ref.host !== this) throw new UnserializableError(`a proxy of ${ref.host.address} cannot be sent to ${this.address}`)
        if (ref.released) throw new UnserializableError(`proxy ${ref.token.id} was released`)
        if (ref.epoch !== this.epoch) throw new StaleProxyError(`proxy ${ref.token.id} belongs to a session that was lost`)
        return [ref.token.typeid, ref.token.id]
      },
    })
    this.#replies = new Replies(
      this,
      {
        connected: () => this.connected,
        callInternal: (target, method, args) => this.#call(target, method, args, 0, true),
        goaway: (info) => {
          this.#link.goaway()
          this.emit('goaway', info)
        },
        protocolFailure: (message) => this.#protocolFailure(message),
      },
      this.#pending,
      this.#abandoned,
    )
    this.#deadlines = new Deadlines((reqId) => this.#expire(reqId))
    this.#link.bind({
      // Once closed, the link may still carry frames while it closes: they are for nobody.
      frame: (data) => {
        if (this.#closed === null) this.#replies.onFrame(data)
      },
      down: (error, code, reason) => this.#onDown(error, code, reason),
      up: (welcome, previous, attempts, downtimeMs) => this.#onUp(welcome, previous, attempts, downtimeMs),
      closed: (error) => this.#shutdown(error),
    })
  }

  get address(): string {
    return this.#link.welcome.address
  }

  /** The welcome of the current session (of the last link while reconnecting). */
  get welcome(): WelcomeInfo {
    return this.#link.welcome
  }

  get closed(): boolean {
    return this.#closed !== null
  }

  /** False while the link is down and the client is reconnecting. */
  get connected(): boolean {
    return this.#closed === null && this.#held === null
  }

  /** Calls waiting for a reply. */
  get inFlight(): number {
    return this.#pending.size
  }

  /** Call `method` on object `target` (null: a server method). */
  call(target: string | null, method: string, args: unknown[], timeoutMs?: number): Promise<unknown> {
    return this.#call(target, method, args, timeoutMs ?? this.callTimeoutMs, false)
  }

  #call(target: string | null, method: string, args: unknown[], timeoutMs: number, internal: boolean): Promise<unknown> {
    if (this.#closed !== null) return Promise.reject(this.#closed)
    const reqId = this.#nextReqId++
    let bytes: Buffer
    try {
      bytes = this.#encoder.encode4(reqId, target, method, args)
    } catch (err) {
      return Promise.reject(err)
    }
    return new Promise((resolve, reject) => {
      this.#pending.set(reqId, { resolve, reject, internal })
      if (timeoutMs > 0) this.#deadlines.add(reqId, timeoutMs)
      if (this.#held === null) this.#queue(bytes)
      else this.#held.push({ reqId, bytes, target })
    })
  }

  /** ProxyHost: one reference of `id` is no longer held; decrefs go out batched (after a reconnect, if down). */
  release(id: string): void {
    if (this.#closed !== null) return
    this.#addDecref(id, 1)
    this.#scheduleFlush()
  }

  #addDecref(id: string, n: number): void {
    this.#decrefs.set(id, (this.#decrefs.get(id) ?? 0) + n)
  }

  /** A proxy for a #PROXY payload (the reference is already counted for this session). */
  proxyFromPayload(payload: ProxyPayload): BaseProxy {
    return this.#replies.proxyFromPayload(payload)
  }

  /** The daemon is expected to close the link (this client asked it to shut down). */
  expectClose(err: Error): void {
    this.#link.expectClose(err)
  }

  /** Close the link; resolves once it is closed. `goodbye`: tell the daemon to end the session now (code 1000). */
  close(goodbye = true): Promise<void> {
    if (this.#closed !== null) return this.#link.close(CloseCode.NORMAL, 'bye')
    this.#flush()
    this.#shutdown(new ManagerClosedError('the manager was closed'))
    return this.#link.close(goodbye ? CloseCode.NORMAL : CloseCode.GOING_AWAY, goodbye ? 'bye' : 'going away')
  }

  #queue(bytes: Buffer): void {
    this.#outbox.push(bytes)
    this.#scheduleFlush()
  }

  #scheduleFlush(): void {
    if (!this.#flushScheduled) {
      this.#flushScheduled = true
      defer(this.#flush)
    }
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false
    // While down, calls and decrefs wait for the link (decrefs must stay unsent, see #onUp).
    if (this.#held !== null || this.#closed !== null) return
    if (this.#decrefs.size > 0) this.#queueDecrefs()
    const outbox = this.#outbox
    if (outbox.length === 0) return
    this.#outbox = []
    this.#link.send(joinBatch(outbox))
  }

  #queueDecrefs(): void {
    for (const [id, n] of this.#decrefs) {
      const reqId = this.#nextReqId++
      this.#pending.set(reqId, new DecrefCall(reqId, id, n))
      this.#outbox.push(this.#encoder.encode4(reqId, null, 'decref', n === 1 ? [id] : [id, n]))
    }
    this.#decrefs.clear()
  }

  /**
   * The link dropped. Calls in flight fail with ConnectionLostError — never replayed: a call is
   * not idempotent, and it may have run. Returns the ids of requests whose replies did not come,
   * so that the daemon can release what those replies counted (hello.lost).
   */
  #onDown(error: Error, code: number, reason: string): number[] {
    this.#held = []
    this.#outbox = []
    this.#deadlines.clear()
    const lost: number[] = []
    // Replies that arrived but waited for their type's methods: received; their references go back.
    const received = this.#replies.dropBacklog()
    const failed: Pending[] = []
    for (const [reqId, p] of this.#pending) {
      if (p instanceof DecrefCall) this.#unconfirmed.push(p)
      else {
        if (!received.has(reqId)) lost.push(reqId)
        failed.push(p)
      }
    }
    for (const reqId of this.#abandoned) lost.push(reqId)
    this.#abandoned.clear()
    // The daemon keeps at most LOST_IDS_MAX unconfirmed replies (the newest); older ids tell it nothing.
    if (lost.length > LOST_IDS_MAX) lost.sort((a, b) => a - b).splice(0, lost.length - LOST_IDS_MAX)
    this.#pending.clear()
    for (const p of failed) p.reject(error)
    this.emit('disconnect', { error, code, reason })
    return lost
  }

  /** A new link: the session resumed (same references and locks), or a new one (old proxies stale). */
  #onUp(welcome: WelcomeInfo, previous: WelcomeInfo, attempts: number, downtimeMs: number): void {
    const held = this.#held ?? []
    this.#held = null
    const unconfirmed = this.#unconfirmed
    this.#unconfirmed = []
    const resumed = welcome.resumed && welcome.sessionId === previous.sessionId
    if (resumed) {
      // Decrefs the daemon never received go again; one it received must not (it would free too much).
      const arrived = typeof welcome.lastReqId === 'number' ? welcome.lastReqId : Infinity
      for (const d of unconfirmed) if (d.reqId > arrived) this.#addDecref(d.id, d.n)
    } else {
      // Everything the old session held is gone: nothing to decref; types may differ on a new daemon.
      this.epoch++
      this.#decrefs.clear()
      this.#replies.forgetClasses()
    }
    for (const h of held) {
      const p = this.#pending.get(h.reqId)
      if (p === undefined) {
        this.#abandoned.delete(h.reqId) // timed out while waiting: it never goes out
        continue
      }
      if (!resumed && h.target !== null) {
        this.#pending.delete(h.reqId)
        p.reject(new StaleProxyError(`the call on ${h.target} waited for a reconnect, but its session was lost; create or look up the object again`))
        continue
      }
      this.#outbox.push(h.bytes)
    }
    this.#scheduleFlush()
    if (!resumed) {
      const reason =
        welcome.bootId !== previous.bootId
          ? 'the daemon restarted'
          : `the daemon no longer had it (not resumed within its ${previous.limits?.sessionGraceMs ?? '?'} ms grace period)`
      const error = new SessionLostError(
        `session ${previous.sessionId} was lost: ${reason}; what it held was released, and its proxies are stale`,
      )
      this.emit('sessionLost', { previousSessionId: previous.sessionId, sessionId: welcome.sessionId, reason, error })
    }
    this.emit('reconnect', { sessionId: welcome.sessionId, resumed, attempts, downtimeMs })
  }

  #expire(reqId: number): void {
    const pending = this.#pending.get(reqId)
    if (pending === undefined) return
    this.#pending.delete(reqId)
    this.#abandoned.add(reqId)
    pending.reject(new CallTimeoutError('the call timed out; its effects on the daemon may still happen'))
  }

  #protocolFailure(message: string): void {
    this.#shutdown(new ProtocolError(message))
    void this.#link.close(CloseCode.PROTOCOL_ERROR, 'protocol error')
  }

  #shutdown(err: Error): void {
    if (this.#closed !== null) return
    this.#closed = err
    this.#deadlines.clear()
    this.#outbox = []
    this.#held = null
    this.#unconfirmed = []
    this.#decrefs.clear()
    const pending = [...this.#pending.values()]
    this.#pending.clear()
    this.#abandoned.clear()
    for (const p of pending) p.reject(err)
    this.emit('close', err)
  }
}
