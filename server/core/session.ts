// A session: one authenticated client and everything it holds — references, calls in flight,
// and (through onEnd listeners) locks. When it ends, all of it is released; Python leaks these.

import type { Logger } from 'pino'
import type { Claim, SessionInfo } from './call-context'
import { DeliveryLog } from './delivery-log'
import type { ObjectEntry } from './object-entry'
import type { ObjectTable } from './object-table'

/** Where a session's outgoing messages go: a socket connection, or the in-process loopback. */
export interface Peer {
  /** Queue one encoded message for the client; the peer batches them into frames. */
  send(message: Buffer): void
}

export type SessionState = 'connected' | 'detached' | 'ended'

export class Session implements SessionInfo {
  /** References this session holds, with counts (each client proxy is one). */
  readonly refs = new Map<ObjectEntry, number>()
  state: SessionState = 'connected'
  peer: Peer | null
  /** Calls in flight that asked for a signal (blocking ones), by request id. */
  readonly #controllers = new Map<number, AbortController>()
  /** Request ids of calls not answered yet (parked on a promise), on the current connection. */
  readonly parked = new Set<number>()
  /**
   * Bumped whenever the connection changes (a drop, a resume). A parked call remembers the
   * generation it came in on; its reply is dropped if that connection is gone, because the client
   * has already failed the call and may use its request id again on the new connection.
   */
  generation = 0
  /** The highest request id received from this session (tells a resuming client what arrived). */
  lastReqId = 0
  /** Set by a transport that can confirm delivery (a socket with heartbeats): keep a delivery log. */
  logsDelivery = false
  /** References counted by replies not yet known to have arrived; made on first use. */
  deliveryLog: DeliveryLog | null = null
  #endListeners: Set<() => void> | null = null
  /** What this session holds beyond references (locks, permits): for debugInfo. */
  readonly #claims = new Set<Claim>()
  readonly startedAt = Date.now()
  /** The first call refused for --max-in-flight is logged, not every one. */
  inFlightLimitLogged = false
  /** Grace timer while detached. */
  graceTimer: NodeJS.Timeout | undefined
  detachedAt: number | undefined

  constructor(
    readonly id: string,
    readonly resumeToken: string,
    readonly name: string | undefined,
    public remoteAddress: string,
    peer: Peer,
    readonly log: Logger,
    readonly table: ObjectTable,
  ) {
    this.peer = peer
  }

  get active(): boolean {
    return this.state !== 'ended'
  }

  onEnd(listener: () => void): () => void {
    if (this.state === 'ended') {
      queueMicrotask(listener)
      return () => {}
    }
    const listeners = this.#endListeners ?? (this.#endListeners = new Set())
    listeners.add(listener)
    return () => listeners.delete(listener)
  }

  claim(claim: Claim, onEnd: () => void): () => void {
    if (this.state === 'ended') {
      queueMicrotask(onEnd)
      return () => {}
    }
    const claims = this.#claims
    claims.add(claim)
    const unwatch = this.onEnd(() => {
      claims.delete(claim)
      onEnd()
    })
    return () => {
      claims.delete(claim)
      unwatch()
    }
  }

  /** Locks, permits and the like this session holds now. */
  get claims(): ReadonlySet<Claim> {
    return this.#claims
  }

  /** One more reference to `entry` held by this session (a proxy on the client). */
  addRef(entry: ObjectEntry, n = 1): void {
    this.refs.set(entry, (this.refs.get(entry) ?? 0) + n)
    this.table.incref(entry, n)
  }

  /** The reply to `reqId`, being sent, counted a reference to `entry` (see DeliveryLog). */
  noteSent(reqId: number, entry: ObjectEntry): void {
    if (this.logsDelivery) (this.deliveryLog ??= new DeliveryLog()).note(reqId, entry)
  }

  /** Release `n` of this session's references to `entry`. False if it holds fewer. */
  dropRef(entry: ObjectEntry, n = 1): boolean {
    const held = this.refs.get(entry)
    if (held === undefined || held < n) return false
    if (held === n) this.refs.delete(entry)
    else this.refs.set(entry, held - n)
    this.table.decref(entry, n)
    return true
  }

  /** The abort signal of call `reqId`, made on first use (only blocking methods ask). */
  signalFor(reqId: number): AbortSignal {
    let controller = this.#controllers.get(reqId)
    if (controller === undefined) {
      controller = new AbortController()
      if (this.state !== 'connected') controller.abort(new Error('the session is not connected'))
      this.#controllers.set(reqId, controller)
    }
    return controller.signal
  }

  /** The call is answered: forget its signal. */
  settled(reqId: number): void {
    if (this.#controllers.size > 0) this.#controllers.delete(reqId)
  }

  /** The connection dropped: parked calls give up (their replies could not be delivered). */
  detach(): void {
    if (this.state !== 'connected') return
    this.state = 'detached'
    this.peer = null
    this.detachedAt = Date.now()
    this.#newGeneration('the connection was lost')
  }

  /**
   * A connection takes the session over (a resume). If the daemon still thought the old one
   * alive (a cut link not noticed yet), its parked calls are cancelled here as a drop would:
   * a lock granted to a call whose client gave up on it would be held with nobody knowing.
   */
  attach(peer: Peer, remoteAddress: string): void {
    if (this.state === 'connected') this.#newGeneration('the session was resumed by another connection')
    else this.generation++
    this.state = 'connected'
    this.peer = peer
    this.remoteAddress = remoteAddress
    this.detachedAt = undefined
    if (this.graceTimer !== undefined) clearTimeout(this.graceTimer)
    this.graceTimer = undefined
  }

  /** End the session: cancel calls, run end listeners (locks), release every reference. */
  end(): void {
    if (this.state === 'ended') return
    this.state = 'ended'
    this.peer = null
    if (this.graceTimer !== undefined) clearTimeout(this.graceTimer)
    this.#abortCalls('the session ended')
    const listeners = this.#endListeners
    this.#endListeners = null
    if (listeners !== null) {
      for (const listener of listeners) {
        try {
          listener()
        } catch (err) {
          this.log.error({ err }, 'session end listener failed')
        }
      }
    }
    this.#claims.clear()
    const refs = [...this.refs]
    this.refs.clear()
    for (const [entry, n] of refs) this.table.decref(entry, n)
  }

  #newGeneration(reason: string): void {
    this.generation++
    this.parked.clear()
    this.#abortCalls(reason)
  }

  #abortCalls(reason: string): void {
    if (this.#controllers.size === 0) return
    const controllers = [...this.#controllers.values()]
    this.#controllers.clear()
    for (const c of controllers) c.abort(new Error(reason))
  }
}
