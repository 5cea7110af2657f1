// `RLock`: a reentrant lock. Its owner is a session plus an optional label, so two tasks of one
// process can be told apart (`acquire({ owner: 'task-a' })`); without labels every task of the
// session is the same owner, and re-entering is allowed. Released when the owning session ends.

import { ObjectFreedError } from '../../../protocol'
import { currentCall, type SessionInfo } from '../../core/call-context'
import { pythonError } from '../containers/values'
import { parseBlocking, parseLabel, parseOptions, type Patience } from './blocking'
import { callerAs, selfName, selfRef, type LockLike, type Owner } from './lock-like'
import { Lifetime, WaitQueue } from './waiters'

interface Claim {
  readonly owner: Owner
  /** The depth it takes the lock at (1 for acquire; a Condition's saved depth on restore). */
  readonly depth: number
}

function same(a: Owner, b: Owner): boolean {
  return a.session === b.session && a.label === b.label
}

export class SharedRLock implements LockLike {
  readonly #name: string
  /** The object named in the claim its owner holds. */
  readonly #self = selfRef('RLock')
  readonly #life = new Lifetime()
  readonly #waiters = new WaitQueue<boolean, Claim>()
  #owner: Owner | null = null
  #depth = 0
  #unwatch: (() => void) | null = null

  constructor(name: string = selfName('RLock')) {
    this.#name = name
  }

  /** `acquire({ block, timeoutMs, owner })` or `acquire(block, timeoutMs)`. */
  acquire(a?: unknown, b?: unknown): boolean | Promise<boolean> {
    const { patience, extra } = parseBlocking('acquire', a, b, ['owner'])
    const owner = callerAs(parseLabel('acquire', extra.owner))
    if (this.$tryAcquire(owner)) return true
    if (patience === 0) return false
    return this.$park(owner, patience, [currentCall().signal])
  }

  /** `release({ owner })`: one level; RuntimeError unless this owner holds it. */
  release(options?: unknown): void {
    const { owner } = parseOptions('release()', options, ['owner'])
    this.$release(callerAs(parseLabel('release', owner)))
  }

  locked(): boolean {
    return this.#owner !== null
  }

  $isFree(): boolean {
    return this.#owner === null
  }

  $heldBy(owner: Owner): boolean {
    return this.#owner !== null && same(this.#owner, owner)
  }

  $heldBySession(session: SessionInfo): boolean {
    return this.#owner !== null && this.#owner.session === session
  }

  $tryAcquire(owner: Owner): boolean {
    return this.#claim(owner, 1)
  }

  $park(owner: Owner, patience: Patience, signals: readonly AbortSignal[]): Promise<boolean> {
    return this.#waiters.park(
      { owner, depth: 1 },
      { signals: [...signals, this.#life.signal], timeoutMs: patience, onTimeout: (w) => w.resolve(false) },
    ).promise
  }

  $release(owner: Owner): void {
    if (!this.$heldBy(owner)) throw pythonError('RuntimeError', 'cannot release un-acquired lock')
    if (--this.#depth === 0) this.#handOver()
  }

  $releaseAll(owner: Owner): number {
    if (!this.$heldBy(owner)) throw pythonError('RuntimeError', 'cannot release un-acquired lock')
    const depth = this.#depth
    this.#handOver()
    return depth
  }

  async $restore(owner: Owner, depth: number, signals: readonly AbortSignal[]): Promise<void> {
    if (this.#claim(owner, depth)) return
    await this.#waiters.park({ owner, depth }, { signals: [...signals, this.#life.signal], timeoutMs: null, onTimeout: () => {} }).promise
  }

  [Symbol.dispose](): void {
    this.#unwatch?.()
    this.#unwatch = null
    this.#owner = null
    this.#life.end(new ObjectFreedError(`${this.#name} was freed while the call waited`))
  }

  /** Take it (free) or re-enter it (same owner) `depth` levels; false if someone else holds it. */
  #claim(owner: Owner, depth: number): boolean {
    if (this.#owner === null) {
      this.#owner = owner
      this.#depth = depth
      const lock = this
      const claim = {
        object: this.#self,
        kind: 'lock',
        label: owner.label,
        get count(): number {
          return lock.#depth
        },
      }
      this.#unwatch = owner.session.claim(claim, () => this.#ownerEnded(owner))
      return true
    }
    if (!same(this.#owner, owner)) return false
    this.#depth += depth
    return true
  }

  #handOver(): void {
    this.#unwatch?.()
    this.#unwatch = null
    this.#owner = null
    this.#depth = 0
    // The first waiter takes it, then any waiter of that same owner re-enters at once.
    for (let next = this.#waiters.first(); next !== undefined; next = this.#waiters.first()) {
      if (!this.#claim(next.data.owner, next.data.depth)) return
      next.resolve(true)
    }
  }

  #ownerEnded(owner: Owner): void {
    if (this.#owner !== owner) return
    this.#unwatch = null
    owner.log.warn({ object: this.#name, depth: this.#depth }, 'session ended holding a lock; released it')
    this.#handOver()
  }
}
