// `Condition(lock?)`: wait until notified, with the lock released while waiting and taken back
// before `wait` returns (Python's threading.Condition). The lock is a Lock or RLock proxy, held
// by the condition; without one it has its own Lock — not Python's RLock: a session is many
// tasks, and a session-reentrant default would let them all in at once (use an RLock with owner
// labels for reentrancy). `waitFor(predicate)` is a client-side loop (see client/sync-methods.ts).

import { BadArgumentsError, ObjectFreedError, isPlainObject } from '../../../protocol'
import { currentCall, currentHolder, type Holder } from '../../core/call-context'
import type { SharedRef } from '../../core/object-entry'
import { pythonError } from '../containers/values'
import { describe, parseBlocking, parseLabel, parseOptions, parseTimeout, type Patience } from './blocking'
import { SharedLock } from './lock'
import { callerAs, lockArgument, selfName, type LockLike } from './lock-like'
import { Lifetime, WaitQueue } from './waiters'

export class SharedCondition {
  readonly #name: string
  readonly #lock: LockLike
  readonly #lockRef: SharedRef | null
  readonly #holder: Holder
  readonly #waiters = new WaitQueue<boolean>()
  readonly #life = new Lifetime()

  constructor(lock?: unknown) {
    this.#name = selfName('Condition')
    this.#holder = currentHolder()
    if (lock === undefined || lock === null) {
      this.#lock = new SharedLock(`${this.#name}'s lock`)
      this.#lockRef = null
    } else {
      const given = lockArgument('Condition(lock)', lock)
      this.#holder.hold(given.ref)
      this.#lock = given.lock
      this.#lockRef = given.ref
    }
  }

  /** Acquire the underlying lock: `{ block, timeoutMs, owner }` or `(block, timeoutMs)`. */
  acquire(a?: unknown, b?: unknown): boolean | Promise<boolean> {
    const { patience, extra } = parseBlocking('acquire', a, b, ['owner'])
    const owner = callerAs(parseLabel('acquire', extra.owner))
    if (this.#lock.$tryAcquire(owner)) return true
    if (patience === 0) return false
    return this.#lock.$park(owner, patience, [currentCall().signal, this.#life.signal])
  }

  /** Release the underlying lock: `release({ owner })`. */
  release(options?: unknown): void {
    const { owner } = parseOptions('release()', options, ['owner'])
    this.#lock.$release(callerAs(parseLabel('release', owner)))
  }

  /**
   * `wait(timeoutMs?)` or `wait({ timeoutMs, owner })`: release the lock, wait for a notify, take
   * the lock back. True when notified, false when the time ran out. RuntimeError without the lock.
   */
  wait(a?: unknown): Promise<boolean> {
    let patience: Patience
    let label: string | null = null
    if (typeof a === 'object' && a !== null && isPlainObject(a)) {
      const o = parseOptions('wait()', a, ['timeoutMs', 'owner'])
      patience = parseTimeout('wait', o.timeoutMs)
      label = parseLabel('wait', o.owner)
    } else {
      patience = parseTimeout('wait', a)
    }
    const owner = callerAs(label)
    if (!this.#lock.$heldBy(owner)) throw pythonError('RuntimeError', 'cannot wait on un-acquired lock')
    const signals = [currentCall().signal, this.#life.signal]
    const waiter = this.#waiters.park(undefined, { signals, timeoutMs: patience, onTimeout: (w) => w.resolve(false) })
    const depth = this.#lock.$releaseAll(owner)
    // Notified or timed out, the lock is taken back before wait() returns. Given up (the caller
    // left, or this condition was freed), it is not: nobody would be there to release it.
    return waiter.promise.then(async (notified) => {
      await this.#lock.$restore(owner, depth, signals)
      return notified
    })
  }

  /** Wake up to `n` waiters (default 1). RuntimeError unless the caller's session holds the lock. */
  notify(n: unknown = 1): void {
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
      throw new BadArgumentsError(`notify(n): n must be an integer >= 0, not ${describe(n)}`)
    }
    this.#checkNotifier()
    for (let i = 0; i < n; i++) {
      const next = this.#waiters.first()
      if (next === undefined) return
      next.resolve(true)
    }
  }

  notifyAll(): void {
    this.#checkNotifier()
    for (const w of this.#waiters.drain()) w.resolve(true)
  }

  [Symbol.dispose](): void {
    this.#life.end(new ObjectFreedError(`${this.#name} was freed while the call waited`))
    // The own lock is no shared object: it is released here; a given one by the table (cascade).
    if (this.#lockRef === null) (this.#lock as SharedLock)[Symbol.dispose]()
  }

  #checkNotifier(): void {
    if (!this.#lock.$heldBySession(currentCall().session)) throw pythonError('RuntimeError', 'cannot notify on un-acquired lock')
  }
}
