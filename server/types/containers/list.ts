// `list`: an array with Python's list methods (negative indices, IndexError/ValueError).

import { currentHolder, type Holder } from '../../core/call-context'
import { BatchIterator } from './iterator'
import { compareValues, pythonError, resolveIndex, sliceBound, valueEquals } from './values'

export class SharedList {
  readonly #items: unknown[] = []
  readonly #holder: Holder

  constructor(init?: unknown[]) {
    this.#holder = currentHolder()
    if (init !== undefined && init !== null) this.extend(init)
  }

  get(i: number): unknown {
    return this.#items[this.#index(i)]
  }

  set(i: number, value: unknown): void {
    const j = this.#index(i)
    const old = this.#items[j]
    this.#holder.hold(value)
    this.#items[j] = value
    this.#holder.drop(old)
  }

  /** Python `l[start:end]` as a new array. */
  slice(start?: number | null, end?: number | null): unknown[] {
    const n = this.#items.length
    return this.#items.slice(sliceBound(start, n, 0), sliceBound(end, n, n))
  }

  length(): number {
    return this.#items.length
  }

  append(value: unknown): void {
    this.#holder.hold(value)
    this.#items.push(value)
  }

  extend(values: unknown[]): void {
    if (!Array.isArray(values)) throw new TypeError('extend() takes an array')
    this.#holder.hold(values)
    for (const v of values) this.#items.push(v)
  }

  insert(i: number, value: unknown): void {
    if (typeof i !== 'number' || !Number.isInteger(i)) throw new TypeError('list indices must be integers')
    const n = this.#items.length
    const j = i < 0 ? Math.max(0, n + i) : Math.min(i, n)
    this.#holder.hold(value)
    this.#items.splice(j, 0, value)
  }

  pop(i = -1): unknown {
    if (this.#items.length === 0) throw pythonError('IndexError', 'pop from empty list')
    const j = this.#index(i)
    const [value] = this.#items.splice(j, 1)
    this.#holder.drop(value)
    return value
  }

  /** Remove the first item equal to `value`; ValueError when there is none. */
  remove(value: unknown): void {
    const j = this.#find(value, 0, this.#items.length)
    if (j < 0) throw pythonError('ValueError', 'list.remove(x): x not in list')
    const [removed] = this.#items.splice(j, 1)
    this.#holder.drop(removed)
  }

  index(value: unknown, start?: number, end?: number): number {
    const n = this.#items.length
    const j = this.#find(value, sliceBound(start, n, 0), sliceBound(end, n, n))
    if (j < 0) throw pythonError('ValueError', 'list.index(x): x not in list')
    return j
  }

  count(value: unknown): number {
    let c = 0
    for (const item of this.#items) if (valueEquals(item, value)) c++
    return c
  }

  includes(value: unknown): boolean {
    return this.#find(value, 0, this.#items.length) >= 0
  }

  reverse(): void {
    this.#items.reverse()
  }

  /** Stable sort by Python's ordering; `{ reverse: true }` for descending. TypeError on mixed types. */
  sort(options?: { reverse?: boolean }): void {
    const reverse = options?.reverse === true
    // Sort a copy first: a TypeError halfway must leave the list as it was.
    const sorted = [...this.#items].sort(reverse ? (a, b) => compareValues(b, a) : compareValues)
    for (let i = 0; i < sorted.length; i++) this.#items[i] = sorted[i]
  }

  clear(): void {
    const old = this.#items.splice(0, this.#items.length)
    this.#holder.drop(old)
  }

  /** A copy of the items as an array (a value, not a shared object). */
  copy(): unknown[] {
    return this.#items.slice()
  }

  /** Batched iteration: `for await (const item of list)`. */
  iter(): BatchIterator {
    return new BatchIterator(this.#items.values())
  }

  /** Not exposed: the value `$getValue()` returns. */
  $value(): unknown[] {
    return this.#items.slice()
  }

  #index(i: number): number {
    const j = resolveIndex(i, this.#items.length)
    if (j < 0) throw pythonError('IndexError', 'list index out of range')
    return j
  }

  #find(value: unknown, start: number, end: number): number {
    for (let i = start; i < end; i++) if (valueEquals(this.#items[i], value)) return i
    return -1
  }
}
