// Call latency at near-zero cost: one clock read at the start and one at the end of each inbound
// frame, and the frame's time shared among the calls answered in it (a frame often holds a
// batch); a parked call is timed on its own, from dispatch to settlement. No per-call allocation.

import { LatencyBuckets } from './latency-buckets'

/** The dispatcher's counters, read before and after a frame to know how many calls it held. */
export interface CallCounts {
  readonly server: number
  readonly object: number
  /** Calls that parked (answered later): timed by parkedSettled, not with their frame. */
  readonly parked: number
}

export class CallClock {
  /** Calls answered in the frame that brought them: decode, dispatch and encode. */
  readonly sync = new LatencyBuckets()
  /** Calls answered later (a blocking get, an async method): dispatch to settlement, waits included. */
  readonly parked = new LatencyBuckets()
  readonly #counts: CallCounts
  #frameStart = 0
  #callsAtStart = 0

  constructor(counts: CallCounts) {
    this.#counts = counts
  }

  frameStart(): void {
    const c = this.#counts
    this.#callsAtStart = c.server + c.object - c.parked
    this.#frameStart = performance.now()
  }

  frameEnd(): void {
    const c = this.#counts
    const calls = c.server + c.object - c.parked - this.#callsAtStart
    if (calls > 0) this.sync.observe((performance.now() - this.#frameStart) / calls, calls)
  }

  /** A parked call settled; `startedAt` is the performance.now() of its dispatch. */
  readonly parkedSettled = (startedAt: number): void => {
    this.parked.observe(performance.now() - startedAt)
  }
}
