// `Array(typecode, sizeOrInit, { lock })`: a fixed-length run of one C type (multiprocessing.Array)
// with Python's indexing (negative counts from the end). Stored in a typed array, so a float32
// array rounds and an int array wraps exactly as C would. Guarded like Value (guard.ts).

import { BadArgumentsError, ObjectFreedError } from '../../../protocol'
import type { SharedRef } from '../../core/object-entry'
import { pythonError, sliceBound } from '../containers/values'
import { describe } from '../sync/blocking'
import { selfName } from '../sync/lock-like'
import { Lifetime } from '../sync/waiters'
import { ctypeOf, type Cells, type CType, type CValue } from './ctypes'
import { Guard } from './guard'

/** Larger arrays could not even be sent in one frame. */
export const MAX_ARRAY_LENGTH = 16 * 1024 * 1024

/** The initial items: a size (zeros), an array, a typed array or Buffer, or ('u') a string. */
function initialItems(type: CType, init: unknown): { length: number; items: ArrayLike<unknown> | null } {
  const what = 'Array(typecode, sizeOrInit)'
  if (typeof init === 'number') {
    if (!Number.isSafeInteger(init) || init < 0 || init > MAX_ARRAY_LENGTH) {
      throw new BadArgumentsError(`${what}: a size must be an integer from 0 to ${MAX_ARRAY_LENGTH}, not ${describe(init)}`)
    }
    return { length: init, items: null }
  }
  let items: ArrayLike<unknown>
  if (Array.isArray(init)) items = init
  else if (type.typecode === 'c' && init instanceof Uint8Array) items = Array.from(init, (b) => Buffer.from([b]))
  else if (type.typecode === 'u' && typeof init === 'string') items = [...init]
  else if (ArrayBuffer.isView(init) && !(init instanceof DataView) && type.typecode !== 'c' && type.typecode !== 'u') {
    items = init as unknown as ArrayLike<unknown>
  } else {
    throw new BadArgumentsError(`${what}: expected a size or the initial items, not ${describe(init)}`)
  }
  if (items.length > MAX_ARRAY_LENGTH) throw new BadArgumentsError(`${what}: at most ${MAX_ARRAY_LENGTH} items`)
  return { length: items.length, items }
}

export class SharedArray {
  readonly #name = selfName('Array')
  readonly #type: CType
  readonly #cells: Cells
  readonly #guard: Guard
  readonly #life = new Lifetime()

  constructor(typecode: unknown, sizeOrInit: unknown, options?: unknown) {
    this.#type = ctypeOf(typecode, 'Array(typecode)')
    const { length, items } = initialItems(this.#type, sizeOrInit)
    this.#cells = this.#type.cells(length)
    if (items !== null) {
      for (let i = 0; i < length; i++) this.#cells.set(i, this.#type.coerce(items[i], `Array(typecode, init): item ${i}`))
    }
    this.#guard = new Guard('Array', options)
  }

  get(i: unknown): CValue | Promise<CValue> {
    const j = this.#index(i)
    return this.#guard.run(() => this.#cells.get(j), this.#life)
  }

  set(i: unknown, value: unknown): void | Promise<void> {
    const j = this.#index(i)
    const v = this.#type.coerce(value, 'set(i, value)')
    return this.#guard.run(() => this.#cells.set(j, v), this.#life)
  }

  length(): number {
    return this.#cells.length
  }

  /** Items [start, end) with Python's slice bounds: numbers as an array, 'c' a Buffer, 'u' a string. */
  slice(start?: unknown, end?: unknown): unknown {
    const n = this.#cells.length
    const s = sliceBound(start, n, 0)
    const e = sliceBound(end, n, n)
    return this.#guard.run(() => this.#cells.slice(s, Math.max(s, e)), this.#life)
  }

  /** Add `n` to item `i` (wrapping / rounding as C does) and return its new value. */
  add(i: unknown, n: unknown = 1): CValue | Promise<CValue> {
    const j = this.#index(i)
    this.#type.add(this.#type.zero, n, 'add(i, n)')
    return this.#guard.run(() => {
      const v = this.#type.add(this.#cells.get(j), n, 'add(i, n)')
      this.#cells.set(j, v)
      return v
    }, this.#life)
  }

  /** Set item `i` to `next` if it equals `expected`; true if it did. */
  compareAndSet(i: unknown, expected: unknown, next: unknown): boolean | Promise<boolean> {
    const j = this.#index(i)
    const e = this.#type.coerce(expected, 'compareAndSet(i, expected)')
    const v = this.#type.coerce(next, 'compareAndSet(i, next)')
    return this.#guard.run(() => {
      if (!this.#type.equals(this.#cells.get(j), e)) return false
      this.#cells.set(j, v)
      return true
    }, this.#life)
  }

  getLock(): SharedRef {
    return this.#guard.ref('Array')
  }

  /** Not exposed: every item, for `$getValue()`. */
  $value(): unknown {
    return this.#cells.slice(0, this.#cells.length)
  }

  [Symbol.dispose](): void {
    this.#life.end(new ObjectFreedError(`${this.#name} was freed while the call waited`))
  }

  #index(i: unknown): number {
    if (typeof i !== 'number' || !Number.isInteger(i)) throw new BadArgumentsError(`array indices must be integers, not ${describe(i)}`)
    const n = this.#cells.length
    const j = i < 0 ? n + i : i
    if (j < 0 || j >= n) throw pythonError('IndexError', 'array index out of range')
    return j
  }
}
