// A latency histogram as a plain bucket array: observing is a short loop and three additions,
// cheap enough for the call path. Exported to Prometheus at scrape time (bucket-histogram.ts).

/** Upper bounds in milliseconds: 5 µs to 60 s, for sub-millisecond calls and long parked waits. */
export const LATENCY_BOUNDS_MS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000,
]

export class LatencyBuckets {
  readonly boundsMs: Float64Array
  /** Observations per bucket (not cumulative); the last one is above every bound (+Inf). */
  readonly counts: Float64Array
  sumMs = 0
  count = 0

  constructor(boundsMs: readonly number[] = LATENCY_BOUNDS_MS) {
    this.boundsMs = Float64Array.from(boundsMs)
    this.counts = new Float64Array(boundsMs.length + 1)
  }

  /** Record `n` observations of `ms` each (a frame's calls, timed together). */
  observe(ms: number, n = 1): void {
    const bounds = this.boundsMs
    let i = 0
    while (i < bounds.length && ms > bounds[i]!) i++
    this.counts[i]! += n
    this.sumMs += ms * n
    this.count += n
  }
}
