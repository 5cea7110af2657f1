// The lock guarding a Value or Array (`{ lock }`: true, the default, makes a Lock; false makes
// a raw value; a Lock or RLock proxy is used as given). Like sharedctypes' synchronized wrappers,
// every get/set/add runs under it: while another session holds the lock the operation waits in
// line, so `lock.withLock(() => read, compute, write)` is atomic against everyone's plain gets
// and sets. The session holding the lock goes straight through (its own compound operation).
//
// The lock is a shared object of its own, held by the value and made with currentCall().create:
// getLock() returns its ref, which reaches the client as a proxy to that same Lock every time.

import { BadArgumentsError } from '../../../protocol'
import { currentCall, currentHolder } from '../../core/call-context'
import type { SharedRef } from '../../core/object-entry'
import { pythonError } from '../containers/values'
import { parseOptions } from '../sync/blocking'
import { lockArgument, type LockLike, type Owner } from '../sync/lock-like'
import type { Lifetime } from '../sync/waiters'

export class Guard {
  readonly #lock: LockLike | null = null
  readonly #ref: SharedRef | null = null

  constructor(what: string, options: unknown) {
    const { lock = true } = parseOptions(`${what} options`, options, ['lock'])
    if (lock === false) return
    if (lock === true) {
      this.#ref = currentCall().create('Lock')
    } else if (typeof lock === 'object' && lock !== null) {
      this.#ref = lockArgument(what, lock).ref
      currentHolder().hold(this.#ref)
    } else {
      throw new BadArgumentsError(`${what}: lock must be true, false or a Lock/RLock proxy`)
    }
    this.#lock = this.#ref.deref() as LockLike
  }

  /** The guarding lock's ref (a proxy for the caller); AttributeError for a raw value. */
  ref(typeName: string): SharedRef {
    if (this.#ref === null) throw pythonError('AttributeError', `this ${typeName} was made with lock: false and has no lock`)
    return this.#ref
  }

  /**
   * Run `op` under the lock: now if it is free or the caller's session holds it, else once the
   * lock comes to the caller in turn (taken, `op` run, released). Validate arguments before.
   */
  run<T>(op: () => T, life: Lifetime): T | Promise<T> {
    const lock = this.#lock
    if (lock === null || lock.$isFree()) return op()
    const call = currentCall()
    if (lock.$heldBySession(call.session)) return op()
    const owner: Owner = { session: call.session, label: null, log: call.log }
    return lock.$park(owner, null, [call.signal, life.signal]).then(() => {
      try {
        return op()
      } finally {
        lock.$release(owner)
      }
    })
  }
}
