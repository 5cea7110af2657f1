// All live client connections: one heartbeat sweep for all of them (a timer per connection
// would cost memory with 10 000 idle sessions), and the drain on shutdown.

import type { GoawayInfo } from '../../protocol'
import type { ClientConnection } from './connection'

export class ConnectionSet {
  readonly #connections = new Set<ClientConnection>()
  #sweep: NodeJS.Timeout | undefined
  #ticks = 0

  constructor(readonly heartbeatMs: number) {}

  get size(): number {
    return this.#connections.size
  }

  add(conn: ClientConnection): void {
    this.#connections.add(conn)
    conn.onClosed = () => this.#connections.delete(conn)
    if (this.#sweep === undefined && this.heartbeatMs > 0) {
      // Checked twice per interval, pinged once: a cut link is noticed 2 to 2.5 intervals after
      // the last pong, where checking only when pinging would take up to 3.
      this.#sweep = setInterval(() => this.#heartbeat(), Math.max(1, this.heartbeatMs >> 1))
      this.#sweep.unref()
    }
  }

  #heartbeat(): void {
    const now = Date.now()
    // Silent for two intervals (plus a little slack for a busy loop): the link is gone.
    const timeoutMs = this.heartbeatMs * 2 + 100
    const ping = (this.#ticks++ & 1) === 0
    for (const conn of this.#connections) conn.heartbeat(now, timeoutMs, ping)
  }

  goawayAll(info: GoawayInfo): void {
    for (const conn of this.#connections) conn.goaway(info)
  }

  /** Calls still parked on ready connections (what a drain waits for). */
  parkedCalls(): number {
    let n = 0
    for (const conn of this.#connections) n += conn.session?.parked.size ?? 0
    return n
  }

  closeAll(code: number, reason: string): void {
    for (const conn of this.#connections) conn.close(code, reason)
  }

  stop(): void {
    if (this.#sweep !== undefined) clearInterval(this.#sweep)
    this.#sweep = undefined
  }

  values(): IterableIterator<ClientConnection> {
    return this.#connections.values()
  }
}
