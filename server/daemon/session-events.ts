// The last few session events (started, resumed, detached, ended) in a fixed ring buffer, for
// the status page; and running totals of each kind, for the metrics.

import type { SessionEventKind } from '../core/session-store'
import type { Session } from '../core/session'

export interface SessionEvent {
  at: string
  event: SessionEventKind
  session: string
  client: string | null
  remoteAddress: string
  reason: string | null
}

export class SessionEventLog {
  readonly #ring: Array<SessionEvent | undefined>
  #next = 0
  readonly totals: Record<SessionEventKind, number> = { started: 0, resumed: 0, detached: 0, ended: 0 }

  constructor(readonly capacity = 50) {
    this.#ring = new Array<SessionEvent | undefined>(capacity)
  }

  record(event: SessionEventKind, session: Session, reason?: string): void {
    this.totals[event]++
    this.#ring[this.#next] = {
      at: new Date().toISOString(),
      event,
      session: session.id,
      client: session.name ?? null,
      remoteAddress: session.remoteAddress,
      reason: reason ?? null,
    }
    this.#next = (this.#next + 1) % this.capacity
  }

  /** Newest first. */
  recent(): SessionEvent[] {
    const out: SessionEvent[] = []
    for (let i = 1; i <= this.capacity; i++) {
      const e = this.#ring[(this.#next - i + this.capacity) % this.capacity]
      if (e === undefined) break
      out.push(e)
    }
    return out
  }
}
