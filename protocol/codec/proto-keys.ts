// Map keys spelled '__proto__' kept as data. msgpackr's reader renames such a key to '__proto_'
// (safe, but it changes the data and collides with a real '__proto_'), so the decoder swaps the
// key's bytes for a placeholder no other byte run of the frame holds, then turns the placeholder
// back into an own '__proto__' property. Slow path: only for frames that hold such a key.

import { randomBytes } from 'node:crypto'
import { isPlainObject } from './classify'

/** A 9-byte ASCII placeholder (as long as '__proto__') that occurs nowhere in `frame`. */
export function pickPlaceholder(frame: Buffer): string {
  for (;;) {
    const candidate = '\0' + randomBytes(4).toString('hex')
    if (frame.indexOf(candidate, 0, 'latin1') === -1) return candidate
  }
}

/** A copy of `frame` with the 9 key bytes at each offset replaced by `placeholder`. */
export function withPlaceholders(frame: Buffer, offsets: readonly number[], placeholder: string): Buffer {
  const copy = Buffer.from(frame)
  for (const at of offsets) copy.write(placeholder, at, 'latin1')
  return copy
}

/** Turn `placeholder` keys back into own '__proto__' data properties, everywhere in `value`. */
export function restoreProtoKeys(value: unknown, placeholder: string): void {
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const v = stack.pop()
    if (typeof v !== 'object' || v === null) continue
    if (Array.isArray(v)) {
      for (const item of v) stack.push(item)
    } else if (v instanceof Map) {
      for (const [k, item] of v) stack.push(k, item)
    } else if (v instanceof Set) {
      for (const item of v) stack.push(item)
    } else if (v instanceof Error) {
      stack.push((v as { data?: unknown }).data)
    } else if (isPlainObject(v)) {
      const keys = Object.keys(v)
      for (const k of keys) stack.push(v[k])
      if (Object.hasOwn(v, placeholder)) rebuild(v, keys, placeholder)
    }
  }
}

/** Re-add every property in its order, the placeholder as an own '__proto__' (never a prototype). */
function rebuild(obj: Record<string, unknown>, keys: string[], placeholder: string): void {
  const values = keys.map((k) => obj[k])
  for (const k of keys) delete obj[k]
  keys.forEach((k, i) => {
    Object.defineProperty(obj, k === placeholder ? '__proto__' : k, { value: values[i], enumerable: true, writable: true, configurable: true })
  })
}

const NEEDLE = Buffer.from('__proto__')
/** Horspool shifts for NEEDLE: how far its last byte's value lets the window move. */
const SHIFT = new Uint8Array(256).fill(9)
for (let i = 0; i < 8; i++) SHIFT[NEEDLE[i]!] = 8 - i

/**
 * Whether `frame` holds the bytes '__proto__' anywhere (then the decoder looks closer). Small
 * frames are searched here (a few ns), larger ones by Buffer.indexOf (a native call, ~100 ns).
 */
export function mayHoldProtoKey(frame: Buffer): boolean {
  const n = frame.length
  if (n > 256) return frame.indexOf(NEEDLE) !== -1
  let i = 0
  while (i + 9 <= n) {
    const last = frame[i + 8]!
    if (last === 0x5f && frame[i] === 0x5f && frame[i + 1] === 0x5f && frame[i + 2] === 0x70 && frame[i + 3] === 0x72 && frame[i + 4] === 0x6f && frame[i + 5] === 0x74 && frame[i + 6] === 0x6f && frame[i + 7] === 0x5f) return true
    i += SHIFT[last]!
  }
  return false
}
