// Slows down repeated authentication failures from one remote address: each failure doubles
// the delay before the next #FAILURE is sent (up to a cap), and the record fades after a quiet
// minute. A guesser gets a handful of tries a minute; a mistyped key costs one short wait.

const BASE_DELAY_MS = 100
const MAX_DELAY_MS = 10_000
const FORGET_AFTER_MS = 60_000
const MAX_TRACKED = 10_000

interface Record {
  failures: number
  last: number
}

export class AuthThrottle {
  readonly #byAddress = new Map<string, Record>()
  readonly #baseDelayMs: number

  constructor(baseDelayMs = BASE_DELAY_MS) {
    this.#baseDelayMs = baseDelayMs
  }

  /** Record a failure; returns how long to wait before answering it. */
  failure(address: string, now = Date.now()): number {
    let r = this.#byAddress.get(address)
    if (r === undefined || now - r.last > FORGET_AFTER_MS) {
      if (this.#byAddress.size >= MAX_TRACKED) this.#prune(now)
      r = { failures: 0, last: now }
      this.#byAddress.set(address, r)
    }
    r.failures++
    r.last = now
    if (this.#baseDelayMs <= 0) return 0
    return Math.min(MAX_DELAY_MS, this.#baseDelayMs * 2 ** (r.failures - 1))
  }

  success(address: string): void {
    this.#byAddress.delete(address)
  }

  #prune(now: number): void {
    for (const [address, r] of this.#byAddress) if (now - r.last > FORGET_AFTER_MS) this.#byAddress.delete(address)
    // Still full (a flood from many addresses): forget the oldest half.
    if (this.#byAddress.size >= MAX_TRACKED) {
      let drop = this.#byAddress.size / 2
      for (const address of this.#byAddress.keys()) {
        if (drop-- <= 0) break
        this.#byAddress.delete(address)
      }
    }
  }
}
