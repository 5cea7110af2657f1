// A session: one authenticated client and everything it holds — references, calls in flight,
// and (through onEnd listeners) locks. When it ends, all of it is released; Python leaks these.

import type { Logger } from 'pino'
import type { Claim, SessionInfo } from './call-context'
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
  /** Request ids of calls not answered yet (parked on a promise). */
  readonly parked = new Set<number>()
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
    this.#abortCalls('the connection was lost')
  }

  attach(peer: Peer, remoteAddress: string): void {
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

  #abortCalls(reason: string): void {
    if (this.#controllers.size === 0) return
    const controllers = [...this.#controllers.values()]
    this.#controllers.clear()
    for (const c of controllers) c.abort(new Error(reason))
  }
}
