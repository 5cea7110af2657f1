// `Value(typecode, init?, { lock })`: one C-typed value (multiprocessing.Value). Every operation
// is atomic on the daemon — add(n) and compareAndSet need no lock — and runs under the guarding
// lock when there is one (see guard.ts), which getLock() hands out.

import { ObjectFreedError } from '../../../protocol'
import type { SharedRef } from '../../core/object-entry'
import { selfName } from '../sync/lock-like'
import { Lifetime } from '../sync/waiters'
import { ctypeOf, type CType, type CValue } from './ctypes'
import { Guard } from './guard'

export class SharedValue {
  readonly #name = selfName('Value')
  readonly #type: CType
  readonly #guard: Guard
  readonly #life = new Lifetime()
  #value: CValue

  constructor(typecode: unknown, init?: unknown, options?: unknown) {
    this.#type = ctypeOf(typecode, 'Value(typecode)')
    this.#value = init === undefined || init === null ? this.#type.zero : this.#type.coerce(init, 'Value(typecode, init)')
    this.#guard = new Guard('Value', options)
  }

  get(): CValue | Promise<CValue> {
    return this.#guard.run(() => this.#value, this.#life)
  }

  set(value: unknown): void | Promise<void> {
    const v = this.#type.coerce(value, 'set(value)')
    return this.#guard.run(() => {
      this.#value = v
    }, this.#life)
  }

  /** Add `n` (wrapping / rounding as C does) and return the new value. */
  add(n: unknown = 1): CValue | Promise<CValue> {
    this.#type.add(this.#type.zero, n, 'add(n)') // refuse a bad n before waiting for the lock
    return this.#guard.run(() => (this.#value = this.#type.add(this.#value, n, 'add(n)')), this.#life)
  }

  /** Set `next` if the value equals `expected` (both coerced first); true if it did. */
  compareAndSet(expected: unknown, next: unknown): boolean | Promise<boolean> {
    const e = this.#type.coerce(expected, 'compareAndSet(expected)')
    const n = this.#type.coerce(next, 'compareAndSet(next)')
    return this.#guard.run(() => {
      if (!this.#type.equals(this.#value, e)) return false
      this.#value = n
      return true
    }, this.#life)
  }

  /** The guarding Lock (or the RLock given), as a proxy; AttributeError with lock: false. */
  getLock(): SharedRef {
    return this.#guard.ref('Value')
  }

  /** Not exposed: the value for `$getValue()` (not waiting for the lock: a snapshot). */
  $value(): CValue {
    return this.#value
  }

  [Symbol.dispose](): void {
    this.#life.end(new ObjectFreedError(`${this.#name} was freed while the call waited`))
  }
}
