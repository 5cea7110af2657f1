// The only MessagePack encoder of managerd: strict (anything it cannot represent is an
// UnserializableError naming what and where, never a silent `undefined` or a flattened class),
// standard (plain msgpack plus the extension codes of ext-codes.ts) and allocation-light
// (msgpack-writer.ts: a shared slab handed out as views, so a message costs no copy).
//
// msgpackr's packer is not used on the wire on purpose: it hard-codes Maps as msgpack maps
// (losing their type), flattens class instances into plain maps and packs functions as nil,
// with no hook to intercept any of those. msgpackr's unpacker is used (see decoder.ts).

import { UnserializableError } from '../errors'
import { classOf } from './classify'
import { ExtCode, TYPED_ARRAY_KINDS } from './ext-codes'
import { MsgpackWriter } from './msgpack-writer'
import { MAX_DEPTH, toUnserializable } from './unencodable'
import { findUserCodec, type UserCodec } from './user-codecs'

/** How one side of the wire turns its reference objects (daemon entries, client proxies) into tokens. */
export interface ReferenceWriter<R extends object = object> {
  /** Instances of this class are written as ExtCode.REFERENCE. */
  readonly cls: abstract new (...args: never[]) => R
  /** The [typeid, id] to write; may throw (a released proxy, a proxy of another daemon). */
  toWire(ref: R): readonly [typeid: string, id: string]
}

const typedArrayKind = new Map<unknown, number>(TYPED_ARRAY_KINDS.map((cls, i) => [cls, i]))

export { MAX_DEPTH }

export class Encoder extends MsgpackWriter {
  readonly #refs: ReferenceWriter | undefined
  /** Called for each reference written, after toWire; the daemon uses it to count references. */
  onReference: ((ref: object) => void) | undefined

  constructor(refs?: ReferenceWriter) {
    super()
    this.#refs = refs
  }

  /** Encode one value. The result is a view of the slab, valid for as long as it is referenced. */
  encode(value: unknown): Buffer {
    this.begin()
    try {
      this.write(value, 0)
    } catch (err) {
      this.abort()
      throw toUnserializable(err, value)
    }
    return this.finish()
  }

  /** Encode the 3-element message `[a, b, c]` without building the array (replies). */
  encode3(a: unknown, b: unknown, c: unknown): Buffer {
    this.begin()
    try {
      this.buf[this.pos++] = 0x93
      this.write(a, 1)
      this.write(b, 1)
      this.write(c, 1)
    } catch (err) {
      this.abort()
      throw toUnserializable(err, c)
    }
    return this.finish()
  }

  /** Encode the 4-element message `[a, b, c, d]` without building the array (requests). */
  encode4(a: unknown, b: unknown, c: unknown, d: unknown): Buffer {
    this.begin()
    try {
      this.buf[this.pos++] = 0x94
      this.write(a, 1)
      this.write(b, 1)
      this.write(c, 1)
      this.write(d, 1)
    } catch (err) {
      this.abort()
      throw toUnserializable(err, d)
    }
    return this.finish()
  }

  private write(value: unknown, depth: number): void {
    switch (typeof value) {
      case 'string':
        return this.writeString(value)
      case 'number':
        return this.writeNumber(value)
      case 'boolean':
        return this.writeBool(value)
      case 'object':
        if (value === null) return this.writeNil()
        return this.writeObject(value, depth + 1)
      case 'undefined':
        return this.writeUndefined()
      case 'bigint':
        return this.writeBigInt(value)
      default:
        throw new UnserializableError(`cannot encode a ${typeof value}`)
    }
  }

  private writeObject(value: object, depth: number): void {
    if (depth > MAX_DEPTH) throw new UnserializableError(`value is nested deeper than ${MAX_DEPTH} levels (is it cyclic?)`)
    const proto: unknown = Object.getPrototypeOf(value)
    if (proto === Object.prototype || proto === null) return this.writePlainObject(value as Record<string, unknown>, depth)
    if (proto === Array.prototype) {
      const arr = value as unknown[]
      const n = arr.length
      this.writeArrayHeader(n)
      for (let i = 0; i < n; i++) this.write(arr[i], depth)
      return
    }
    const refs = this.#refs
    if (refs !== undefined && value instanceof refs.cls) return this.writeReference(refs, value)
    const ctor = classOf(value)
    if (ctor === Map) {
      const map = value as Map<unknown, unknown>
      return this.writeExt(ExtCode.MAP, () => {
        this.writeArrayHeader(map.size * 2)
        for (const [k, v] of map) {
          this.write(k, depth)
          this.write(v, depth)
        }
      })
    }
    if (ctor === Set) {
      const set = value as Set<unknown>
      return this.writeExt(ExtCode.SET, () => {
        this.writeArrayHeader(set.size)
        for (const v of set) this.write(v, depth)
      })
    }
    if (ctor === Date) return this.writeDate(value as Date)
    if (ctor === Buffer || ctor === Uint8Array) return this.writeBin(value as Uint8Array)
    const kind = typedArrayKind.get(ctor)
    if (kind !== undefined) return this.writeTypedArray(kind, value as ArrayBufferView)
    const codec = findUserCodec(ctor)
    if (codec !== undefined) return this.writeUserCodec(codec, value, depth)
    if (value instanceof Error) return this.writeError(value, depth)
    const name = typeof ctor === 'function' && ctor.name ? ctor.name : 'anonymous class'
    throw new UnserializableError(
      `cannot encode an instance of ${name}: register a codec for it (registerCodec) on both sides`,
    )
  }

  private writePlainObject(obj: Record<string, unknown>, depth: number): void {
    const keys = Object.keys(obj)
    const n = keys.length
    for (let i = 0; i < n; i++) {
      // msgpackr's reader renames a '__proto__' map key, so such objects travel as ExtCode.OBJECT.
      if (keys[i] === '__proto__') return this.writeObjectExt(obj, keys, depth)
    }
    this.writeMapHeader(n)
    for (let i = 0; i < n; i++) {
      const k = keys[i]!
      this.writeString(k)
      this.write(obj[k], depth)
    }
  }

  private writeObjectExt(obj: Record<string, unknown>, keys: string[], depth: number): void {
    this.writeExt(ExtCode.OBJECT, () => {
      this.writeArrayHeader(keys.length * 2)
      for (const k of keys) {
        this.writeString(k)
        this.write(obj[k], depth)
      }
    })
  }

  private writeReference(refs: ReferenceWriter, ref: object): void {
    const [typeid, id] = refs.toWire(ref)
    this.writeExt(ExtCode.REFERENCE, () => {
      this.ensure(1)
      this.buf[this.pos++] = 0x92
      this.writeString(typeid)
      this.writeString(id)
    })
    this.onReference?.(ref)
  }

  private writeUserCodec(codec: UserCodec, value: object, depth: number): void {
    const data = codec.encode(value)
    this.writeExt(codec.type, () => this.write(data, depth))
  }

  private writeError(err: Error, depth: number): void {
    const fields: Record<string, unknown> = { name: err.name, message: err.message }
    if (typeof err.stack === 'string') fields.stack = err.stack
    const { code, data } = err as { code?: unknown; data?: unknown }
    if (typeof code === 'string') fields.code = code
    if (data !== undefined) fields.data = data
    this.writeExt(ExtCode.ERROR, () => this.writePlainObject(fields, depth))
  }
}
