// Client-side methods of the synchronization proxies, built on their remote methods:
// withLock(fn) on every lock-like proxy (Python's `with lock:`) and waitFor(predicate) on a
// Condition (Python's wait_for loop). Registered per typeid through registerClientMethods().

import { CallTimeoutError } from '../protocol'
import { registerClientMethods } from './proxy'
import type { OwnerOption, ProxyControls, WithLockOptions } from './types'

interface LockLikeRemote extends ProxyControls {
  acquire(options?: object): Promise<boolean>
  release(options?: object): Promise<void>
}

interface ConditionRemote extends ProxyControls {
  wait(options?: object): Promise<boolean>
}

async function withLock<R>(this: LockLikeRemote, fn: () => R | Promise<R>, options: WithLockOptions = {}): Promise<R> {
  if (typeof fn !== 'function') throw new TypeError('withLock(fn): fn must be a function')
  const { timeoutMs, owner } = options
  // Only an owner label goes to release(): a Semaphore's release takes a count, not options.
  const releaseArgs = owner === undefined ? [] : [{ owner }]
  const acquired = await this.acquire({ ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(owner !== undefined ? { owner } : {}) })
  if (!acquired) throw new CallTimeoutError(`withLock(): ${this.$typeid} ${this.$token.id} was not acquired within ${timeoutMs} ms`)
  let result: R
  try {
    result = await fn()
  } catch (err) {
    // fn's error is the one that matters; a failed release (connection lost) must not hide it.
    await this.release(...releaseArgs).catch(() => {})
    throw err
  }
  await this.release(...releaseArgs)
  return result
}

async function waitFor<R>(
  this: ConditionRemote,
  predicate: () => R | Promise<R>,
  timeoutMs: number | null = null,
  options: OwnerOption = {},
): Promise<R> {
  if (typeof predicate !== 'function') throw new TypeError('waitFor(predicate): predicate must be a function')
  const deadline = timeoutMs === null ? null : Date.now() + timeoutMs
  let result = await predicate()
  while (!result) {
    let left: number | null = null
    if (deadline !== null) {
      left = deadline - Date.now()
      if (left <= 0) break
    }
    await this.wait({ timeoutMs: left, ...(options.owner !== undefined ? { owner: options.owner } : {}) })
    result = await predicate()
  }
  return result
}

registerClientMethods(['Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Condition'], { withLock })
registerClientMethods('Condition', { waitFor })
