// `dict`: a Map with Python's dict methods. Any encodable value can be a key; composite keys
// (arrays, objects…) compare by value, as tuples do in Python. Insertion order is kept.

import { classOf } from '../../../protocol'
import { currentHolder, type Holder } from '../../core/call-context'
import { BatchIterator } from './iterator'
import { isCompositeKey, denormalizeStringKey, normalizeKey, pythonError } from './values'

export type DictInit = Map<unknown, unknown> | Record<string, unknown> | Array<[unknown, unknown]>

export class SharedDict {
  /** normalized key → value */
  readonly #map = new Map<unknown, unknown>()
  /** normalized composite key → the original key (only composite keys need this) */
  #originalKeys: Map<string, unknown> | null = null
  readonly #holder: Holder

  constructor(init?: DictInit) {
    this.#holder = currentHolder()
    if (init !== undefined && init !== null) this.update(init)
  }

  get(key: unknown, fallback?: unknown): unknown {
    const k = normalizeKey(key)
    const value = this.#map.get(k)
    // One lookup when the key is there; has() only tells a stored undefined from a missing key.
    return value !== undefined || this.#map.has(k) ? value : fallback
  }

  set(key: unknown, value: unknown): void {
    this.#store(normalizeKey(key), key, value)
  }

  has(key: unknown): boolean {
    return this.#map.has(normalizeKey(key))
  }

  delete(key: unknown): boolean {
    const k = normalizeKey(key)
    if (!this.#map.has(k)) return false
    this.#remove(k)
    return true
  }

  size(): number {
    return this.#map.size
  }

  keys(): unknown[] {
    return [...this.#map.keys()].map((k) => this.#originalKey(k))
  }

  values(): unknown[] {
    return [...this.#map.values()]
  }

  entries(): Array<[unknown, unknown]> {
    return [...this.#map].map(([k, v]) => [this.#originalKey(k), v])
  }

  /** Remove `key` and return its value; KeyError when missing and no fallback is given. */
  pop(key: unknown, ...fallback: [unknown?]): unknown {
    const k = normalizeKey(key)
    if (!this.#map.has(k)) {
      if (fallback.length > 0) return fallback[0]
      throw pythonError('KeyError', `key not found: ${describeKey(key)}`)
    }
    return this.#remove(k)
  }

  /** Remove and return the last inserted [key, value] (LIFO, as Python 3.7+); KeyError when empty. */
  popitem(): [unknown, unknown] {
    let last: unknown
    let found = false
    for (const k of this.#map.keys()) {
      last = k
      found = true
    }
    if (!found) throw pythonError('KeyError', 'popitem(): dictionary is empty')
    const key = this.#originalKey(last)
    return [key, this.#remove(last)]
  }

  setdefault(key: unknown, fallback: unknown = null): unknown {
    const k = normalizeKey(key)
    if (this.#map.has(k)) return this.#map.get(k)
    this.#store(k, key, fallback)
    return fallback
  }

  /** Merge a Map, a plain object or an array of [key, value] pairs. */
  update(other: DictInit): void {
    if (other instanceof Map) {
      for (const [k, v] of other) this.set(k, v)
    } else if (Array.isArray(other)) {
      for (const pair of other) {
        if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError('update() takes a Map, an object or [key, value] pairs')
        this.set(pair[0], pair[1])
      }
    } else if (typeof other === 'object' && other !== null) {
      for (const k of Object.keys(other)) this.set(k, other[k])
    } else {
      throw new TypeError('update() takes a Map, an object or [key, value] pairs')
    }
  }

  clear(): void {
    const old = [...this.#map]
    const originals = this.#originalKeys
    this.#map.clear()
    this.#originalKeys = null
    for (const [k, v] of old) {
      this.#holder.drop(v)
      this.#holder.drop(k)
    }
    if (originals !== null) for (const original of originals.values()) this.#holder.drop(original)
  }

  /** A copy of the contents as a Map (a value, not a shared object). */
  copy(): Map<unknown, unknown> {
    return this.$value()
  }

  /** Batched iteration over [key, value] entries: `for await (const [k, v] of dict)`. */
  iter(): BatchIterator {
    return new BatchIterator(this.#entries())
  }

  iterKeys(): BatchIterator {
    const map = this.#map
    const original = (k: unknown): unknown => this.#originalKey(k)
    return new BatchIterator((function* () {
      for (const k of map.keys()) yield original(k)
    })())
  }

  iterValues(): BatchIterator {
    return new BatchIterator(this.#map.values())
  }

  /** Not exposed: the value `$getValue()` returns. */
  $value(): Map<unknown, unknown> {
    const out = new Map<unknown, unknown>()
    for (const [k, v] of this.#map) out.set(this.#originalKey(k), v)
    return out
  }

  *#entries(): Generator<[unknown, unknown]> {
    for (const [k, v] of this.#map) yield [this.#originalKey(k), v]
  }

  #store(k: unknown, key: unknown, value: unknown): void {
    const old = this.#map.get(k)
    const had = old !== undefined || this.#map.has(k)
    // One hold for a new object key and its value: all or nothing.
    if (!had && typeof key === 'object' && key !== null) this.#holder.hold([key, value])
    else this.#holder.hold(value)
    if (!had && isCompositeKey(k)) (this.#originalKeys ??= new Map()).set(k, key)
    this.#map.set(k, value)
    if (had) this.#holder.drop(old)
  }

  #remove(k: unknown): unknown {
    const value = this.#map.get(k)
    this.#map.delete(k)
    let key = k
    if (isCompositeKey(k)) {
      key = this.#originalKeys!.get(k)
      this.#originalKeys!.delete(k)
    }
    this.#holder.drop(value)
    this.#holder.drop(key)
    return value
  }

  #originalKey(k: unknown): unknown {
    if (typeof k !== 'string' || k.charCodeAt(0) !== 0) return k
    if (isCompositeKey(k)) return this.#originalKeys!.get(k)
    return denormalizeStringKey(k)
  }
}

function describeKey(key: unknown): string {
  if (typeof key === 'string') return JSON.stringify(key).slice(0, 100)
  if (typeof key === 'bigint') return `${key}n`
  if (typeof key === 'object' && key !== null) return (classOf(key) as { name?: string } | undefined)?.name ?? 'object'
  return String(key)
}
