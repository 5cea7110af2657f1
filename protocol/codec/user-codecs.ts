// registerCodec(): the analogue of ForkingPickler.register — teach both sides of the wire to carry
// instances of a user class as a msgpack extension. The registry is process-wide, because
// msgpackr's extension table (used by the decoder) is.

import { ConfigError } from '../errors'
import { MSGPACKR_RESERVED, USER_EXT_MAX, USER_EXT_MIN } from './ext-codes'

export interface CodecSpec<T extends object = object, D = unknown> {
  /** Extension code, an integer in [0x10, 0x7f] outside msgpackr's reserved codes. */
  type: number
  /** The class whose instances (and subclass instances) this codec carries. */
  cls: abstract new (...args: never[]) => T
  /** Turn an instance into encodable data (plain values, Maps, other codec classes…). */
  encode(value: T): D
  /** Rebuild an instance from the decoded data. */
  decode(data: D): T
}

export interface UserCodec {
  readonly type: number
  readonly cls: abstract new (...args: never[]) => object
  encode(value: object): unknown
  decode(data: unknown): object
}

const byClass = new Map<unknown, UserCodec>()
const byType = new Map<number, UserCodec>()
const listeners: Array<(codec: UserCodec) => void> = []

/** Register a codec on this side of the wire. Registering the same class and code again is a no-op. */
export function registerCodec<T extends object, D>(spec: CodecSpec<T, D>): void {
  const { type, cls } = spec
  if (!Number.isInteger(type) || type < USER_EXT_MIN || type > USER_EXT_MAX) {
    throw new ConfigError(`codec type must be an integer in [0x${USER_EXT_MIN.toString(16)}, 0x${USER_EXT_MAX.toString(16)}], got ${type}`)
  }
  if (MSGPACKR_RESERVED.has(type)) {
    throw new ConfigError(`codec type 0x${type.toString(16)} is reserved by msgpackr; choose another`)
  }
  if (typeof cls !== 'function') throw new ConfigError('codec cls must be a class')
  const existing = byType.get(type)
  if (existing !== undefined) {
    if (existing.cls === cls) return
    throw new ConfigError(`codec type 0x${type.toString(16)} is already registered for ${existing.cls.name}`)
  }
  if (byClass.has(cls)) throw new ConfigError(`class ${cls.name} already has a codec`)
  const codec = spec as unknown as UserCodec
  byClass.set(cls, codec)
  byType.set(type, codec)
  for (const listener of listeners) listener(codec)
}

/** The codec for `ctor` or its nearest registered ancestor class. */
export function findUserCodec(ctor: unknown): UserCodec | undefined {
  if (byClass.size === 0) return undefined
  let c = ctor
  while (typeof c === 'function') {
    const codec = byClass.get(c)
    if (codec !== undefined) return codec
    c = Object.getPrototypeOf(c)
  }
  return undefined
}

export function userCodecForType(type: number): UserCodec | undefined {
  return byType.get(type)
}

/** The decoder subscribes here to install each codec in msgpackr's table. */
export function onCodecRegistered(listener: (codec: UserCodec) => void): void {
  listeners.push(listener)
  for (const codec of byType.values()) listener(codec)
}
