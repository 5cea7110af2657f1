// `Semaphore(n)` and `BoundedSemaphore(n)`. Permits are owned by the session that acquired them,
// so a session that ends holding permits gives them back (logged) instead of starving everyone.
// A release returns one of the caller's own permits first; a session holding none may still
// release (Python's semaphores are ownerless), which settles the permit held longest by another
// session, if any — so "A acquires, B releases for A" does not hand A's permit back twice.

import type { Logger } from 'pino'
import { BadArgumentsError, ObjectFreedError } from '../../../protocol'
import { currentCall, type SessionInfo } from '../../core/call-context'
import type { SharedRef } from '../../core/object-entry'
import { pythonError } from '../containers/values'
import { describe, parseBlocking } from './blocking'
import { callerAs, selfName, selfRef, type Owner } from './lock-like'
import { Lifetime, WaitQueue } from './waiters'

interface Hold {
  count: number
  readonly log: Logger
  unwatch: () => void
}

function permits(what: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new BadArgumentsError(`${what} must be an integer >= ${min}, not ${describe(value)}`)
  }
  return value
}

export class SharedSemaphore {
  readonly #name: string
  /** The object named in the claims of the sessions holding permits. */
  readonly #self: SharedRef
  readonly #bounded: boolean
  readonly #initial: number
  #value: number
  readonly #holds = new Map<SessionInfo, Hold>()
  readonly #waiters = new WaitQueue<boolean, Owner>()
  readonly #life = new Lifetime()

  constructor(value: unknown = 1, bounded = false) {
    this.#bounded = bounded
    this.#name = selfName(bounded ? 'BoundedSemaphore' : 'Semaphore')
    this.#self = selfRef(bounded ? 'BoundedSemaphore' : 'Semaphore')
    this.#initial = this.#value = permits(`${bounded ? 'BoundedSemaphore' : 'Semaphore'}(value): value`, value, 0)
  }

  /** `acquire({ block, timeoutMs })` or `acquire(block, timeoutMs)`: true once a permit is held. */
  acquire(a?: unknown, b?: unknown): boolean | Promise<boolean> {
    const { patience } = parseBlocking('acquire', a, b)
    const owner = callerAs()
    // Waiters come first: a permit freed while others wait has already gone to them.
    if (this.#value > 0) {
      this.#value--
      this.#credit(owner, 1)
      return true
    }
    if (patience === 0) return false
    return this.#waiters.park(owner, {
      signals: [currentCall().signal, this.#life.signal],
      timeoutMs: patience,
      onTimeout: (w) => w.resolve(false),
    }).promise
  }

  /** Give back `n` permits (default 1); a BoundedSemaphore refuses to go above its initial value. */
  release(n: unknown = 1): void {
    const count = permits('release(n): n', n, 1)
    if (this.#bounded && this.#value + count > this.#initial) throw pythonError('ValueError', 'Semaphore released too many times')
    this.#debit(currentCall().session, count)
    this.#value += count
    this.#grant()
  }

  /** Permits available now (multiprocessing's get_value()). */
  getValue(): number {
    return this.#value
  }

  [Symbol.dispose](): void {
    for (const hold of this.#holds.values()) hold.unwatch()
    this.#holds.clear()
    this.#life.end(new ObjectFreedError(`${this.#name} was freed while the call waited`))
  }

  /** Hand free permits to waiters, longest-waiting first. */
  #grant(): void {
    while (this.#value > 0) {
      const next = this.#waiters.first()
      if (next === undefined) return
      this.#value--
      this.#credit(next.data, 1)
      next.resolve(true)
    }
  }

  #credit(owner: Owner, n: number): void {
    const hold = this.#holds.get(owner.session)
    if (hold !== undefined) {
      hold.count += n
      return
    }
    const session = owner.session
    const held: Hold = { count: n, log: owner.log, unwatch: () => {} }
    const claim = {
      object: this.#self,
      kind: 'permits',
      get count(): number {
        return held.count
      },
    }
    held.unwatch = session.claim(claim, () => this.#ownerEnded(session))
    this.#holds.set(session, held)
  }

  /** `n` permits come back: the caller's own first, then those held longest by others. */
  #debit(session: SessionInfo, n: number): void {
    let left = n
    const own = this.#holds.get(session)
    if (own !== undefined) left = this.#take(session, own, left)
    for (const [other, hold] of this.#holds) {
      if (left === 0) return
      left = this.#take(other, hold, left)
    }
  }

  #take(session: SessionInfo, hold: Hold, n: number): number {
    const taken = Math.min(hold.count, n)
    hold.count -= taken
    if (hold.count === 0) {
      hold.unwatch()
      this.#holds.delete(session)
    }
    return n - taken
  }

  #ownerEnded(session: SessionInfo): void {
    const hold = this.#holds.get(session)
    if (hold === undefined) return
    this.#holds.delete(session)
    hold.log.warn({ object: this.#name, permits: hold.count }, 'session ended holding semaphore permits; released them')
    this.#value += hold.count
    this.#grant()
  }
}
