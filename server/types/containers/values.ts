// Value semantics the containers need and JavaScript lacks: Python-like equality (for index,
// count, remove), ordering (for sort) and by-value dict keys for composite keys.

import { Encoder, classOf, isPlainObject } from '../../../protocol'
import { ObjectEntry, isSharedRef } from '../../core/object-entry'

/** Python `==` for decoded values: deep for data, identity for shared references. */
export function valueEquals(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true
  const ta = typeof a
  const tb = typeof b
  if (ta !== 'object' || tb !== 'object' || a === null || b === null) {
    if (ta === 'number' && tb === 'number') return Number.isNaN(a) && Number.isNaN(b)
    // 1 == 1n, as Python's 1 == 1.0
    if ((ta === 'bigint' && tb === 'number') || (ta === 'number' && tb === 'bigint')) return a == b // eslint-disable-line eqeqeq
    return false
  }
  if (depth > 500) throw new RangeError('values nested too deeply to compare')
  if (isSharedRef(a as object) || isSharedRef(b as object)) return false
  const plainA = isPlainObject(a as object)
  const plainB = isPlainObject(b as object)
  if (plainA !== plainB || (!plainA && classOf(a as object) !== classOf(b as object))) return false
  if (Array.isArray(a)) {
    const bb = b as unknown[]
    if (a.length !== bb.length) return false
    for (let i = 0; i < a.length; i++) if (!valueEquals(a[i], bb[i], depth + 1)) return false
    return true
  }
  if (a instanceof Map) {
    const bm = b as Map<unknown, unknown>
    if (a.size !== bm.size) return false
    for (const [k, v] of a) if (!bm.has(k) || !valueEquals(v, bm.get(k), depth + 1)) return false
    return true
  }
  if (a instanceof Set) {
    const bs = b as Set<unknown>
    if (a.size !== bs.size) return false
    for (const v of a) if (!bs.has(v)) return false
    return true
  }
  if (a instanceof Date) return a.getTime() === (b as Date).getTime()
  if (ArrayBuffer.isView(a)) {
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
    const bv = b as ArrayBufferView
    const y = new Uint8Array(bv.buffer, bv.byteOffset, bv.byteLength)
    return x.length === y.length && Buffer.compare(x, y) === 0
  }
  if (plainA) {
    const ka = Object.keys(a as object)
    const kb = Object.keys(b as object)
    if (ka.length !== kb.length) return false
    for (const k of ka) {
      if (!Object.hasOwn(b as object, k)) return false
      if (!valueEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], depth + 1)) return false
    }
    return true
  }
  return false
}

function kind(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (v instanceof Date) return 'Date'
  const t = typeof v
  if (t === 'bigint') return 'number'
  if (t === 'object') return (classOf(v as object) as { name?: string } | undefined)?.name ?? 'object'
  return t
}

/** Python's `<` for sort: numbers, strings, booleans, Dates and arrays (lexicographic); else TypeError. */
export function compareValues(a: unknown, b: unknown, depth = 0): number {
  const ka = kind(a)
  const kb = kind(b)
  if (ka !== kb) throw new TypeError(`'<' not supported between ${ka} and ${kb}`)
  switch (ka) {
    case 'number':
    case 'string':
    case 'boolean':
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0
    case 'Date':
      return (a as Date).getTime() - (b as Date).getTime()
    case 'array': {
      // Recursion: bounded like valueEquals, so hostile nesting is an error, not a stack overflow.
      if (depth > 500) throw new RangeError('values nested too deeply to compare')
      const x = a as unknown[]
      const y = b as unknown[]
      const n = Math.min(x.length, y.length)
      for (let i = 0; i < n; i++) {
        const c = compareValues(x[i], y[i], depth + 1)
        if (c !== 0) return c
      }
      return x.length - y.length
    }
    default:
      throw new TypeError(`'<' not supported between ${ka} and ${kb}`)
  }
}

const keyEncoder = new Encoder({ cls: ObjectEntry, toWire: (e: ObjectEntry) => [e.typeid, e.id] })

/**
 * The Map key a dict uses for `key`. Primitives and shared references key themselves; composite
 * keys (arrays, objects, Dates, Buffers…) key by their encoding, so equal values find each other
 * — as tuples do in Python. Such keys get a '\0' prefix; a real string starting with '\0' gets a
 * second one, so the two can never collide.
 */
export function normalizeKey(key: unknown): unknown {
  if (typeof key === 'string') return key.charCodeAt(0) === 0 ? '\0' + key : key
  if (typeof key !== 'object' || key === null || isSharedRef(key)) return key
  return '\0k' + keyEncoder.encode(key).toString('latin1')
}

/** True when normalizeKey() made a composite-key string (the original key is kept aside). */
export function isCompositeKey(normalized: unknown): normalized is string {
  return typeof normalized === 'string' && normalized.charCodeAt(0) === 0 && normalized.charCodeAt(1) !== 0
}

/** The string a normalized string key stands for, when it is not composite. */
export function denormalizeStringKey(normalized: string): string {
  return normalized.charCodeAt(0) === 0 ? normalized.slice(1) : normalized
}

/** Python's negative indices: -1 is the last item. Returns an index or -1 when out of range. */
export function resolveIndex(i: unknown, length: number): number {
  if (typeof i !== 'number' || !Number.isInteger(i)) throw new TypeError('list indices must be integers')
  const j = i < 0 ? length + i : i
  return j >= 0 && j < length ? j : -1
}

/** Python slice bounds (start/end may be negative or past the ends). */
export function sliceBound(i: unknown, length: number, fallback: number): number {
  if (i === undefined || i === null) return fallback
  if (typeof i !== 'number' || !Number.isInteger(i)) throw new TypeError('slice indices must be integers')
  if (i < 0) return Math.max(0, length + i)
  return Math.min(i, length)
}

export function pythonError(name: string, message: string): Error {
  const err = new Error(message)
  Object.defineProperty(err, 'name', { value: name, configurable: true, writable: true })
  return err
}
