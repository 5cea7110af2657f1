// The only MessagePack writer of managerd: strict (anything it cannot represent is an
// UnserializableError naming what and where, never a silent `undefined` or a flattened class),
// standard (plain msgpack plus the extension codes of ext-codes.ts) and allocation-light: it
// writes into a shared slab and hands out views of it, so a message costs no copy.
//
// msgpackr's packer is not used on the wire on purpose: it hard-codes Maps as msgpack maps
// (losing their type), flattens class instances into plain maps and packs functions as nil,
// with no hook to intercept any of those. msgpackr's unpacker is used (see decoder.ts).

import { UnserializableError } from '../errors'
import { classOf, isPlainObject } from './classify'
import { ExtCode, TYPED_ARRAY_KINDS } from './ext-codes'
import { findUserCodec, type UserCodec } from './user-codecs'

/** How one side of the wire turns its reference objects (daemon entries, client proxies) into tokens. */
export interface ReferenceWriter<R extends object = object> {
  /** Instances of this class are written as ExtCode.REFERENCE. */
  readonly cls: abstract new (...args: never[]) => R
  /** The [typeid, id] to write; may throw (a released proxy, a proxy of another daemon). */
  toWire(ref: R): readonly [typeid: string, id: string]
}

/** Values nested deeper than this are refused: deeper data is almost always a cycle. */
export const MAX_DEPTH = 1000

const SLAB_BYTES = 64 * 1024
/** A new message starts a new slab when less than this is left, so most messages never move. */
const SLAB_MIN_FREE = 2048

const typedArrayKind = new Map<unknown, number>(TYPED_ARRAY_KINDS.map((cls, i) => [cls, i]))

export class Encoder {
  #buf: Buffer = Buffer.allocUnsafeSlow(SLAB_BYTES)
  #view = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.byteLength)
  #pos = 0
  #start = 0
  readonly #refs: ReferenceWriter | undefined
  /** Called for each reference written, after toWire; the daemon uses it to count references. */
  onReference: ((ref: object) => void) | undefined

  constructor(refs?: ReferenceWriter) {
    this.#refs = refs
  }

  /** Encode one value. The result is a view of the slab, valid for as long as it is referenced. */
  encode(value: unknown): Buffer {
    this.#begin()
    try {
      this.#write(value, 0)
    } catch (err) {
      this.#pos = this.#start
      throw toUnserializable(err, value)
    }
    return this.#buf.subarray(this.#start, this.#pos)
  }

  /** Encode the 3-element message `[a, b, c]` without building the array (replies). */
  encode3(a: unknown, b: unknown, c: unknown): Buffer {
    this.#begin()
    try {
      this.#buf[this.#pos++] = 0x93
      this.#write(a, 1)
      this.#write(b, 1)
      this.#write(c, 1)
    } catch (err) {
      this.#pos = this.#start
      throw toUnserializable(err, c)
    }
    return this.#buf.subarray(this.#start, this.#pos)
  }

  /** Encode the 4-element message `[a, b, c, d]` without building the array (requests). */
  encode4(a: unknown, b: unknown, c: unknown, d: unknown): Buffer {
    this.#begin()
    try {
      this.#buf[this.#pos++] = 0x94
      this.#write(a, 1)
      this.#write(b, 1)
      this.#write(c, 1)
      this.#write(d, 1)
    } catch (err) {
      this.#pos = this.#start
      throw toUnserializable(err, d)
    }
    return this.#buf.subarray(this.#start, this.#pos)
  }

  #begin(): void {
    if (this.#buf.length - this.#pos < SLAB_MIN_FREE) this.#newSlab(SLAB_BYTES)
    this.#start = this.#pos
  }

  #newSlab(size: number): void {
    // Views handed out earlier keep the old slab alive; it is never written again.
    const used = this.#pos - this.#start
    const next = Buffer.allocUnsafeSlow(Math.max(size, used * 2))
    this.#buf.copy(next, 0, this.#start, this.#pos)
    this.#buf = next
    this.#view = new DataView(next.buffer, next.byteOffset, next.byteLength)
    this.#start = 0
    this.#pos = used
  }

  #ensure(bytes: number): void {
    if (this.#pos + bytes > this.#buf.length) this.#newSlab(SLAB_BYTES + bytes * 2)
  }

  #write(value: unknown, depth: number): void {
    switch (typeof value) {
      case 'string':
        return this.#writeString(value)
      case 'number':
        return this.#writeNumber(value)
      case 'boolean':
        this.#ensure(1)
        this.#buf[this.#pos++] = value ? 0xc3 : 0xc2
        return
      case 'object':
        if (value === null) {
          this.#ensure(1)
          this.#buf[this.#pos++] = 0xc0
          return
        }
        return this.#writeObject(value, depth + 1)
      case 'undefined':
        this.#ensure(3)
        this.#buf[this.#pos++] = 0xd4
        this.#buf[this.#pos++] = ExtCode.UNDEFINED
        this.#buf[this.#pos++] = 0
        return
      case 'bigint':
        return this.#writeBigInt(value)
      default:
        throw new UnserializableError(`cannot encode a ${typeof value}`)
    }
  }

  #writeNumber(n: number): void {
    this.#ensure(9)
    const buf = this.#buf
    if (Number.isInteger(n) && !Object.is(n, -0)) {
      if (n >= 0) {
        if (n < 0x80) {
          buf[this.#pos++] = n
          return
        }
        if (n < 0x100) {
          buf[this.#pos++] = 0xcc
          buf[this.#pos++] = n
          return
        }
        if (n < 0x10000) {
          buf[this.#pos++] = 0xcd
          buf[this.#pos++] = n >>> 8
          buf[this.#pos++] = n & 0xff
          return
        }
        if (n < 0x100000000) {
          buf[this.#pos++] = 0xce
          this.#view.setUint32(this.#pos, n)
          this.#pos += 4
          return
        }
      } else {
        if (n >= -0x20) {
          buf[this.#pos++] = n & 0xff
          return
        }
        if (n >= -0x80) {
          buf[this.#pos++] = 0xd0
          buf[this.#pos++] = n & 0xff
          return
        }
        if (n >= -0x8000) {
          buf[this.#pos++] = 0xd1
          this.#view.setInt16(this.#pos, n)
          this.#pos += 2
          return
        }
        if (n >= -0x80000000) {
          buf[this.#pos++] = 0xd2
          this.#view.setInt32(this.#pos, n)
          this.#pos += 4
          return
        }
      }
    }
    // Integers beyond 32 bits stay float64 so that int64 on the wire always means BigInt.
    buf[this.#pos++] = 0xcb
    this.#view.setFloat64(this.#pos, n)
    this.#pos += 8
  }

  #writeString(s: string): void {
    const n = s.length
    if (n < 64) {
      // Hand-written UTF-8 for short strings (keys, method names): no native call, no copy.
      this.#ensure(n * 3 + 2)
      const buf = this.#buf
      const headerBytes = n * 3 < 32 ? 1 : 2
      const start = this.#pos
      let p = start + headerBytes
      for (let i = 0; i < n; i++) {
        let c = s.charCodeAt(i)
        if (c < 0x80) {
          buf[p++] = c
        } else if (c < 0x800) {
          buf[p++] = 0xc0 | (c >> 6)
          buf[p++] = 0x80 | (c & 0x3f)
        } else {
          if (c >= 0xd800 && c <= 0xdfff) {
            const next = i + 1 < n ? s.charCodeAt(i + 1) : 0
            if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
              c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00)
              i++
              buf[p++] = 0xf0 | (c >> 18)
              buf[p++] = 0x80 | ((c >> 12) & 0x3f)
              buf[p++] = 0x80 | ((c >> 6) & 0x3f)
              buf[p++] = 0x80 | (c & 0x3f)
              continue
            }
            c = 0xfffd // a lone surrogate becomes U+FFFD, as Buffer.write does
          }
          buf[p++] = 0xe0 | (c >> 12)
          buf[p++] = 0x80 | ((c >> 6) & 0x3f)
          buf[p++] = 0x80 | (c & 0x3f)
        }
      }
      const len = p - start - headerBytes
      if (headerBytes === 1) {
        buf[start] = 0xa0 | len
      } else if (len < 32) {
        buf.copyWithin(start + 1, start + 2, p)
        buf[start] = 0xa0 | len
        p--
      } else {
        buf[start] = 0xd9
        buf[start + 1] = len
      }
      this.#pos = p
      return
    }
    const max = n * 3
    this.#ensure(max + 5)
    const headerBytes = max < 0x100 ? 2 : max < 0x10000 ? 3 : 5
    const start = this.#pos
    const len = this.#buf.write(s, start + headerBytes, 'utf8')
    const needed = len < 0x100 ? 2 : len < 0x10000 ? 3 : 5
    if (needed < headerBytes) this.#buf.copyWithin(start + needed, start + headerBytes, start + headerBytes + len)
    this.#writeHeaderAt(start, needed, len, 0xd9)
    this.#pos = start + needed + len
  }

  /** str8/16/32 (base 0xd9) or bin8/16/32 (base 0xc4) header of `bytes` header bytes at `at`. */
  #writeHeaderAt(at: number, bytes: number, len: number, base: number): void {
    const buf = this.#buf
    if (bytes === 2) {
      buf[at] = base
      buf[at + 1] = len
    } else if (bytes === 3) {
      buf[at] = base + 1
      buf[at + 1] = len >>> 8
      buf[at + 2] = len & 0xff
    } else {
      buf[at] = base + 2
      this.#view.setUint32(at + 1, len)
    }
  }

  #writeArrayHeader(n: number): void {
    this.#ensure(5)
    if (n < 16) {
      this.#buf[this.#pos++] = 0x90 | n
    } else if (n < 0x10000) {
      this.#buf[this.#pos++] = 0xdc
      this.#buf[this.#pos++] = n >>> 8
      this.#buf[this.#pos++] = n & 0xff
    } else {
      this.#buf[this.#pos++] = 0xdd
      this.#view.setUint32(this.#pos, n)
      this.#pos += 4
    }
  }

  #writeMapHeader(n: number): void {
    this.#ensure(5)
    if (n < 16) {
      this.#buf[this.#pos++] = 0x80 | n
    } else if (n < 0x10000) {
      this.#buf[this.#pos++] = 0xde
      this.#buf[this.#pos++] = n >>> 8
      this.#buf[this.#pos++] = n & 0xff
    } else {
      this.#buf[this.#pos++] = 0xdf
      this.#view.setUint32(this.#pos, n)
      this.#pos += 4
    }
  }

  #writeBin(bytes: Uint8Array): void {
    const len = bytes.byteLength
    const headerBytes = len < 0x100 ? 2 : len < 0x10000 ? 3 : 5
    this.#ensure(headerBytes + len)
    this.#writeHeaderAt(this.#pos, headerBytes, len, 0xc4)
    this.#pos += headerBytes
    this.#buf.set(bytes, this.#pos)
    this.#pos += len
  }

  #writeObject(value: object, depth: number): void {
    if (depth > MAX_DEPTH) throw new UnserializableError(`value is nested deeper than ${MAX_DEPTH} levels (is it cyclic?)`)
    const proto: unknown = Object.getPrototypeOf(value)
    if (proto === Object.prototype || proto === null) return this.#writePlainObject(value as Record<string, unknown>, depth)
    if (proto === Array.prototype) {
      const arr = value as unknown[]
      const n = arr.length
      this.#writeArrayHeader(n)
      for (let i = 0; i < n; i++) this.#write(arr[i], depth)
      return
    }
    const refs = this.#refs
    if (refs !== undefined && value instanceof refs.cls) return this.#writeReference(refs, value)
    const ctor = classOf(value)
    if (ctor === Map) {
      const map = value as Map<unknown, unknown>
      return this.#writeExt(ExtCode.MAP, () => {
        this.#writeArrayHeader(map.size * 2)
        for (const [k, v] of map) {
          this.#write(k, depth)
          this.#write(v, depth)
        }
      })
    }
    if (ctor === Set) {
      const set = value as Set<unknown>
      return this.#writeExt(ExtCode.SET, () => {
        this.#writeArrayHeader(set.size)
        for (const v of set) this.#write(v, depth)
      })
    }
    if (ctor === Date) return this.#writeDate(value as Date)
    if (ctor === Buffer || ctor === Uint8Array) return this.#writeBin(value as Uint8Array)
    const kind = typedArrayKind.get(ctor)
    if (kind !== undefined) return this.#writeTypedArray(kind, value as ArrayBufferView)
    const codec = findUserCodec(ctor)
    if (codec !== undefined) return this.#writeUserCodec(codec, value, depth)
    if (value instanceof Error) return this.#writeError(value, depth)
    const name = typeof ctor === 'function' && ctor.name ? ctor.name : 'anonymous class'
    throw new UnserializableError(
      `cannot encode an instance of ${name}: register a codec for it (registerCodec) on both sides`,
    )
  }

  #writePlainObject(obj: Record<string, unknown>, depth: number): void {
    const keys = Object.keys(obj)
    const n = keys.length
    for (let i = 0; i < n; i++) {
      // msgpackr's reader renames a '__proto__' map key, so such objects travel as ExtCode.OBJECT.
      if (keys[i] === '__proto__') return this.#writeObjectExt(obj, keys, depth)
    }
    this.#writeMapHeader(n)
    for (let i = 0; i < n; i++) {
      const k = keys[i]!
      this.#writeString(k)
      this.#write(obj[k], depth)
    }
  }

  #writeObjectExt(obj: Record<string, unknown>, keys: string[], depth: number): void {
    this.#writeExt(ExtCode.OBJECT, () => {
      this.#writeArrayHeader(keys.length * 2)
      for (const k of keys) {
        this.#writeString(k)
        this.#write(obj[k], depth)
      }
    })
  }

  #writeReference(refs: ReferenceWriter, ref: object): void {
    const [typeid, id] = refs.toWire(ref)
    this.#writeExt(ExtCode.REFERENCE, () => {
      this.#ensure(1)
      this.#buf[this.#pos++] = 0x92
      this.#writeString(typeid)
      this.#writeString(id)
    })
    this.onReference?.(ref)
  }

  #writeUserCodec(codec: UserCodec, value: object, depth: number): void {
    const data = codec.encode(value)
    this.#writeExt(codec.type, () => this.#write(data, depth))
  }

  #writeError(err: Error, depth: number): void {
    const fields: Record<string, unknown> = { name: err.name, message: err.message }
    if (typeof err.stack === 'string') fields.stack = err.stack
    const { code, data } = err as { code?: unknown; data?: unknown }
    if (typeof code === 'string') fields.code = code
    if (data !== undefined) fields.data = data
    this.#writeExt(ExtCode.ERROR, () => this.#writePlainObject(fields, depth))
  }

  #writeDate(date: Date): void {
    const ms = date.getTime()
    if (Number.isNaN(ms)) throw new UnserializableError('cannot encode an invalid Date')
    const seconds = Math.floor(ms / 1000)
    const nanos = (ms - seconds * 1000) * 1e6
    this.#ensure(15)
    const buf = this.#buf
    if (nanos === 0 && seconds >= 0 && seconds < 0x100000000) {
      buf[this.#pos++] = 0xd6 // fixext4: timestamp32
      buf[this.#pos++] = 0xff
      this.#view.setUint32(this.#pos, seconds)
      this.#pos += 4
    } else if (seconds >= 0 && seconds < 0x400000000) {
      buf[this.#pos++] = 0xd7 // fixext8: timestamp64 = nanos(30 bits) << 34 | seconds(34 bits)
      buf[this.#pos++] = 0xff
      this.#view.setUint32(this.#pos, nanos * 4 + Math.floor(seconds / 0x100000000))
      this.#view.setUint32(this.#pos + 4, seconds >>> 0)
      this.#pos += 8
    } else {
      buf[this.#pos++] = 0xc7 // ext8 of 12 bytes: timestamp96 = uint32 nanos, int64 seconds
      buf[this.#pos++] = 12
      buf[this.#pos++] = 0xff
      this.#view.setUint32(this.#pos, nanos)
      this.#view.setBigInt64(this.#pos + 4, BigInt(seconds))
      this.#pos += 12
    }
  }

  #writeBigInt(n: bigint): void {
    this.#ensure(9)
    if (n >= -0x8000000000000000n && n < 0x8000000000000000n) {
      this.#buf[this.#pos++] = 0xd3
      this.#view.setBigInt64(this.#pos, n)
      this.#pos += 8
      return
    }
    if (n > 0n && n < 0x10000000000000000n) {
      this.#buf[this.#pos++] = 0xcf
      this.#view.setBigUint64(this.#pos, n)
      this.#pos += 8
      return
    }
    // Two's complement, big-endian, as few bytes as keep the sign.
    let hex = BigInt.asUintN(bigIntBits(n), n).toString(16)
    if (hex.length % 2) hex = '0' + hex
    const bytes = Buffer.from(hex, 'hex')
    this.#writeExt(ExtCode.BIGINT, () => {
      this.#ensure(bytes.length)
      this.#buf.set(bytes, this.#pos)
      this.#pos += bytes.length
    })
  }

  #writeTypedArray(kind: number, arr: ArrayBufferView): void {
    const bytes = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength)
    this.#writeExt(ExtCode.TYPED_ARRAY, () => {
      this.#ensure(1 + bytes.length)
      this.#buf[this.#pos++] = kind
      this.#buf.set(bytes, this.#pos)
      this.#pos += bytes.length
    })
  }

  /** Write an ext whose payload `body` writes; the header is sized once the payload length is known. */
  #writeExt(type: number, body: () => void): void {
    // Reserve an ext8 header (3 bytes); widen it by moving the payload in the rare long case.
    // Offsets are kept relative to the message start: body() may move the message to a new slab.
    this.#ensure(3)
    const rel = this.#pos - this.#start
    this.#pos += 3
    body()
    let at = this.#start + rel
    const len = this.#pos - at - 3
    if (len < 0x100) {
      const buf = this.#buf
      if (len === 1 || len === 2 || len === 4 || len === 8 || len === 16) {
        // fixext: drop the length byte
        buf.copyWithin(at + 2, at + 3, this.#pos)
        buf[at] = len === 1 ? 0xd4 : len === 2 ? 0xd5 : len === 4 ? 0xd6 : len === 8 ? 0xd7 : 0xd8
        buf[at + 1] = type & 0xff
        this.#pos--
      } else {
        buf[at] = 0xc7
        buf[at + 1] = len
        buf[at + 2] = type & 0xff
      }
      return
    }
    const extra = len < 0x10000 ? 1 : 3
    this.#ensure(extra)
    at = this.#start + rel
    const buf = this.#buf
    buf.copyWithin(at + 3 + extra, at + 3, this.#pos)
    if (extra === 1) {
      buf[at] = 0xc8
      buf[at + 1] = len >>> 8
      buf[at + 2] = len & 0xff
      buf[at + 3] = type & 0xff
    } else {
      buf[at] = 0xc9
      this.#view.setUint32(at + 1, len)
      buf[at + 5] = type & 0xff
    }
    this.#pos += extra
  }
}

function bigIntBits(n: bigint): number {
  // bits needed for n in two's complement, rounded up to whole bytes
  const magnitude = n < 0n ? -n - 1n : n
  return (Math.floor(magnitude.toString(2).length / 8) + 1) * 8
}

function toUnserializable(err: unknown, root: unknown): Error {
  if (err instanceof UnserializableError) {
    const path = findUnencodablePath(root)
    if (path !== undefined && path !== '$') err.message += ` (at ${path})`
    return err
  }
  if (err instanceof RangeError) {
    return new UnserializableError(`cannot encode value: ${err.message}`, { cause: err })
  }
  return err instanceof Error ? err : new UnserializableError(String(err))
}

/** Slow path, run only after a failure: the first path to a value the encoder refuses. */
function findUnencodablePath(root: unknown): string | undefined {
  const seen = new Set<object>()
  const visit = (v: unknown, path: string, depth: number): string | undefined => {
    if (typeof v === 'function' || typeof v === 'symbol') return path
    if (typeof v !== 'object' || v === null) return undefined
    if (depth > MAX_DEPTH || seen.has(v)) return path
    seen.add(v)
    if (isPlainObject(v)) {
      for (const k of Object.keys(v)) {
        const hit = visit((v as Record<string, unknown>)[k], `${path}.${k}`, depth + 1)
        if (hit !== undefined) return hit
      }
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const hit = visit(v[i], `${path}[${i}]`, depth + 1)
        if (hit !== undefined) return hit
      }
    } else if (v instanceof Map) {
      for (const [k, val] of v) {
        const hit = visit(k, `${path}<key>`, depth + 1) ?? visit(val, `${path}.get(${String(k)})`, depth + 1)
        if (hit !== undefined) return hit
      }
    } else if (v instanceof Set) {
      let i = 0
      for (const val of v) {
        const hit = visit(val, `${path}<item ${i++}>`, depth + 1)
        if (hit !== undefined) return hit
      }
    }
    seen.delete(v)
    return undefined
  }
  return visit(root, '$', 0)
}
