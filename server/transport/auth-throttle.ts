// Slows down guessing the authkey, per remote address. After a failure, the next answer from
// that address is checked only once a delay has passed (100 ms, doubling with each failure, at
// most 10 s), and answers from one address are checked one after another, spaced by that delay:
// parallel connections do not help a guesser, and a right answer waits exactly as long as a
// wrong one would (so the wait reveals nothing). A success clears the record; a quiet minute
// forgets it. A mistyped key costs one short wait; other addresses are never slowed.

const BASE_DELAY_MS = 100
const MAX_DELAY_MS = 10_000
const FORGET_AFTER_MS = 60_000
const MAX_TRACKED = 10_000

export interface Admission {
  waitMs: number
  attempt: number
}

interface Record {
  /** Failed answers, plus answers admitted since the last failure (counted as failures until they succeed). */
  attempts: number
  /** When the next answer from this address may be checked. */
  nextAt: number
  last: number
}

export class AuthThrottle {
  readonly #byAddress = new Map<string, Record>()
  readonly #baseDelayMs: number

  constructor(baseDelayMs = BASE_DELAY_MS) {
    this.#baseDelayMs = baseDelayMs
  }

  /** The delay that follows the `n`-th failure of an address. */
  delayAfter(n: number): number {
    if (this.#baseDelayMs <= 0) return 0
    return Math.min(MAX_DELAY_MS, this.#baseDelayMs * 2 ** Math.min(n - 1, 30))
  }

  /**
   * An answer from `address` arrived: when to check it. `attempt` numbers it among the answers
   * since the address's first failure (0: there is none, check at once); null when the address
   * already has answers queued for longer than the longest delay (refuse it unchecked).
   */
  admit(address: string, now = Date.now()): Admission | null {
    const r = this.#current(address, now)
    if (r === undefined) return { waitMs: 0, attempt: 0 }
    const at = Math.max(now, r.nextAt)
    if (at - now > MAX_DELAY_MS) return null
    const attempt = ++r.attempts
    r.nextAt = at + this.delayAfter(attempt)
    r.last = now
    return { waitMs: at - now, attempt }
  }

  /** The admitted answer failed. Returns the delay that follows it (for the log). */
  failure(address: string, attempt: number, now = Date.now()): number {
    let r = this.#current(address, now)
    if (r === undefined) {
      if (this.#byAddress.size >= MAX_TRACKED) this.#prune(now)
      r = { attempts: 1, nextAt: now + this.delayAfter(1), last: now }
      this.#byAddress.set(address, r)
    }
    r.last = now
    return this.delayAfter(Math.max(attempt, 1))
  }

  success(address: string): void {
    this.#byAddress.delete(address)
  }

  /** Addresses with a record (tests, metrics). */
  get size(): number {
    return this.#byAddress.size
  }

  #current(address: string, now: number): Record | undefined {
    const r = this.#byAddress.get(address)
    if (r !== undefined && now - r.last > FORGET_AFTER_MS && now >= r.nextAt) {
      this.#byAddress.delete(address)
      return undefined
    }
    return r
  }

  #prune(now: number): void {
    for (const [address, r] of this.#byAddress) if (now - r.last > FORGET_AFTER_MS && now >= r.nextAt) this.#byAddress.delete(address)
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
