// `Lock`: a mutex owned by the session that acquired it. Python's Lock has no owner, so a process
// that dies holding one deadlocks everyone else; here the owner is known, and when its session
// ends the lock is released (and that is logged). Not reentrant: a second acquire by the same
// session waits, as in Python — which is also what makes it exclude the tasks of one process.

import { ObjectFreedError } from '../../../protocol'
import { currentCall, type SessionInfo } from '../../core/call-context'
import { pythonError } from '../containers/values'
import { parseBlocking, type Patience } from './blocking'
import { callerAs, selfName, selfRef, type LockLike, type Owner } from './lock-like'
import { Lifetime, WaitQueue } from './waiters'

export class SharedLock implements LockLike {
  readonly #name: string
  /** The object named in the claim its owner holds. */
  readonly #self = selfRef('Lock')
  readonly #life = new Lifetime()
  readonly #waiters = new WaitQueue<boolean, Owner>()
  #owner: Owner | null = null
  #unwatch: (() => void) | null = null

  constructor(name: string = selfName('Lock')) {
    this.#name = name
  }

  /** `acquire({ block, timeoutMs })` or `acquire(block, timeoutMs)`: true once held, false if not in time. */
  acquire(a?: unknown, b?: unknown): boolean | Promise<boolean> {
    const { patience } = parseBlocking('acquire', a, b)
    const owner = callerAs()
    if (this.$tryAcquire(owner)) return true
    if (patience === 0) return false
    return this.$park(owner, patience, [currentCall().signal])
  }

  /** Release it; RuntimeError when it is not held, or held by another session. */
  release(): void {
    this.$release(callerAs())
  }

  locked(): boolean {
    return this.#owner !== null
  }

  $isFree(): boolean {
    return this.#owner === null
  }

  $heldBy(owner: Owner): boolean {
    return this.#owner !== null && this.#owner.session === owner.session
  }

  $heldBySession(session: SessionInfo): boolean {
    return this.#owner !== null && this.#owner.session === session
  }

  $tryAcquire(owner: Owner): boolean {
    // Free means nobody waits either: a release hands the lock straight to the first waiter.
    if (this.#owner !== null) return false
    this.#take(owner)
    return true
  }

  $park(owner: Owner, patience: Patience, signals: readonly AbortSignal[]): Promise<boolean> {
    return this.#waiters.park(owner, {
      signals: [...signals, this.#life.signal],
      timeoutMs: patience,
      onTimeout: (w) => w.resolve(false),
    }).promise
  }

  $release(owner: Owner): void {
    if (this.#owner === null) throw pythonError('RuntimeError', 'release unlocked lock')
    if (this.#owner.session !== owner.session) throw pythonError('RuntimeError', 'cannot release a Lock held by another session')
    this.#handOver()
  }

  $releaseAll(owner: Owner): number {
    this.$release(owner)
    return 1
  }

  async $restore(owner: Owner, _depth: number, signals: readonly AbortSignal[]): Promise<void> {
    if (!this.$tryAcquire(owner)) await this.$park(owner, null, signals)
  }

  /** Freed: calls parked on it fail with ObjectFreedError; the owner's watch is dropped. */
  [Symbol.dispose](): void {
    this.#unwatch?.()
    this.#unwatch = null
    this.#owner = null
    this.#life.end(new ObjectFreedError(`${this.#name} was freed while the call waited`))
  }

  #take(owner: Owner): void {
    this.#owner = owner
    this.#unwatch = owner.session.claim({ object: this.#self, kind: 'lock', count: 1 }, () => this.#ownerEnded(owner))
  }

  /** The next waiter, if any, becomes the owner; its acquire resolves. */
  #handOver(): void {
    this.#unwatch?.()
    this.#unwatch = null
    this.#owner = null
    const next = this.#waiters.first()
    if (next === undefined) return
    this.#take(next.data)
    next.resolve(true)
  }

  #ownerEnded(owner: Owner): void {
    if (this.#owner !== owner) return
    this.#unwatch = null
    owner.log.warn({ object: this.#name }, 'session ended holding a lock; released it')
    this.#handOver()
  }
}
