// All live client connections: one heartbeat sweep for all of them (a timer per connection
// would cost memory with 10 000 idle sessions), and the drain on shutdown.

import { heartbeatCheckMs, heartbeatTimeoutMs, type GoawayInfo } from '../../protocol'
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
      // Checked twice per interval, pinged once (protocol/heartbeat.ts): checking only when
      // pinging would take up to 3 intervals to notice a cut link.
      this.#sweep = setInterval(() => this.#heartbeat(), heartbeatCheckMs(this.heartbeatMs))
      this.#sweep.unref()
    }
  }

  #heartbeat(): void {
    const now = Date.now()
    const timeoutMs = heartbeatTimeoutMs(this.heartbeatMs)
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
