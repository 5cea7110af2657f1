// Parked calls. A waiter is one call waiting on the daemon (a get on an empty queue, an acquire
// of a held lock…): it is settled exactly once — granted by its object, timed out, or given up
// when one of its signals aborts (the caller left, or the object was freed). Nothing here ever
// blocks: a waiter is a promise, a timer and a few listeners, removed the moment it settles.

import { setMaxListeners } from 'node:events'

/** setTimeout's longest delay; longer waits re-arm until their deadline. */
const MAX_TIMER_MS = 2 ** 31 - 1

export interface ParkOptions<T, D> {
  /** Aborting any of these settles the waiter, rejecting with that signal's reason. */
  readonly signals: readonly AbortSignal[]
  /** How long to wait; null waits until granted or aborted. */
  readonly timeoutMs: number | null
  /** The time is up (the waiter has left the queue): settle it, e.g. resolve(false). */
  readonly onTimeout: (waiter: Waiter<T, D>) => void
  /** The waiter was given up because a signal aborted (after it was settled). */
  readonly onAbort?: (waiter: Waiter<T, D>) => void
}

export class Waiter<T, D> {
  settled = false
  readonly promise: Promise<T>
  #resolve!: (value: T) => void
  #reject!: (err: unknown) => void
  #queue: Set<Waiter<T, D>> | null
  #timer: NodeJS.Timeout | undefined
  readonly #signals: readonly AbortSignal[]
  readonly #onAbort: () => void

  constructor(
    /** What the waiter waits with (a lock's owner, a put's item…). */
    readonly data: D,
    queue: Set<Waiter<T, D>>,
    options: ParkOptions<T, D>,
  ) {
    this.promise = new Promise<T>((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
    })
    this.#queue = queue
    this.#signals = options.signals
    this.#onAbort = () => {
      const reason = this.#signals.find((s) => s.aborted)?.reason as unknown
      if (this.reject(reason ?? new Error('the call was given up'))) options.onAbort?.(this)
    }
    if (this.#signals.some((s) => s.aborted)) {
      this.#queue = null
      queueMicrotask(this.#onAbort)
      return
    }
    queue.add(this)
    for (const s of this.#signals) s.addEventListener('abort', this.#onAbort, { once: true })
    if (options.timeoutMs !== null) this.#arm(Date.now() + options.timeoutMs, options.onTimeout)
  }

  /** Settle with a value. False if it was settled already. */
  resolve(value: T): boolean {
    if (!this.#finish()) return false
    this.#resolve(value)
    return true
  }

  /** Settle with an error. False if it was settled already. */
  reject(err: unknown): boolean {
    if (!this.#finish()) return false
    this.#reject(err)
    return true
  }

  #arm(deadline: number, onTimeout: (waiter: Waiter<T, D>) => void): void {
    const left = Math.max(0, deadline - Date.now())
    this.#timer = setTimeout(() => {
      if (Date.now() < deadline) return this.#arm(deadline, onTimeout)
      this.#timer = undefined
      this.#leave()
      onTimeout(this)
    }, Math.min(left, MAX_TIMER_MS))
    // A parked call must not keep a daemon (or a test) alive on its own.
    this.#timer.unref()
  }

  /** Leave the queue (the waiter may still be settled later by whoever holds it). */
  #leave(): void {
    this.#queue?.delete(this)
    this.#queue = null
  }

  #finish(): boolean {
    if (this.settled) return false
    this.settled = true
    this.#leave()
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    for (const s of this.#signals) s.removeEventListener('abort', this.#onAbort)
    return true
  }
}

/** A FIFO of waiters; settling a waiter removes it. */
export class WaitQueue<T, D = undefined> {
  readonly #waiters = new Set<Waiter<T, D>>()

  get size(): number {
    return this.#waiters.size
  }

  /** Park a call; return `waiter.promise` from the method. */
  park(data: D, options: ParkOptions<T, D>): Waiter<T, D> {
    return new Waiter(data, this.#waiters, options)
  }

  /** The longest-waiting waiter. */
  first(): Waiter<T, D> | undefined {
    for (const w of this.#waiters) return w
    return undefined
  }

  /** The waiters, in arrival order, taken out of the queue (to settle them all). */
  drain(): Array<Waiter<T, D>> {
    const all = [...this.#waiters]
    this.#waiters.clear()
    return all
  }

  [Symbol.iterator](): IterableIterator<Waiter<T, D>> {
    return this.#waiters.values()
  }
}

/**
 * The life of a shared object with parked calls: its signal aborts, with the reason given, when
 * the object is freed, so every call parked on it (or on its behalf elsewhere) is settled.
 */
export class Lifetime {
  readonly #controller = new AbortController()
  readonly signal: AbortSignal = this.#controller.signal

  constructor() {
    // One listener per parked call: thousands are normal, not a leak.
    setMaxListeners(0, this.signal)
  }

  end(reason: Error): void {
    this.#controller.abort(reason)
  }
}
