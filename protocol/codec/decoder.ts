// The MessagePack reader: msgpackr's unpacker (native string extraction when available),
// configured for plain msgpack and taught the extension codes of ext-codes.ts. Codes outside
// the table decode to an UnknownExtension marker, so one bad argument fails one call rather
// than the whole connection. Hostile input costs linear work: extension payloads are never
// re-read, and a frame holding a '__proto__' map key (rare) takes a slow path through
// frame-scan.ts, as does every frame of a strict decoder (the handshake's).

/// <reference path="./msgpackr-no-eval.d.ts" />
// (The reference: every program that compiles this file — the build, the bench — gets the types.)
import { createRequire } from 'node:module'
import { C1, Unpackr, addExtension, setExtractor } from 'msgpackr/unpack-no-eval'
import { ExtCode, TYPED_ARRAY_KINDS } from './ext-codes'
import { oneByteValue, pairsToObject, readError } from './ext-values'
import { scanFrame } from './frame-scan'
import { mayHoldProtoKey, pickPlaceholder, restoreProtoKeys, withPlaceholders } from './proto-keys'
import { MAX_DEPTH } from './unencodable'
import { onCodecRegistered, userCodecForType } from './user-codecs'

/**
 * Deepest nesting a scanned frame may have: what the encoder allows, plus the level a batch adds.
 * Frames that are not scanned are bounded by the stack msgpackr's reader can use: deeper ones
 * fail with a RangeError, which decode() reports as too deep (a few thousand levels).
 */
export const MAX_FRAME_DEPTH = MAX_DEPTH + 1
const isUserCodecType = (type: number): boolean => userCodecForType(type) !== undefined

/** Turns a wire reference into this side's object (a daemon entry, a client proxy). */
export type ReferenceReader = (typeid: string, id: string) => unknown

/** A value carried under an extension code this side does not know. */
export class UnknownExtension {
  constructor(
    readonly type: number,
    readonly data: Uint8Array,
  ) {}
}

type ReadAt = (position: number) => unknown


/** State of the decode in progress; msgpackr's extension hooks are global, so this is too. */
let readReference: ReferenceReader | null = null
let srcOffset = 0
let referenceCount = 0
let unknownCount = 0
/** Set while a frame whose '__proto__' keys were swapped for a placeholder is decoded. */
let protoPlaceholder: string | null = null
/** Offset of the last nesting extension's payload; payloads are met in increasing order. */
let lastPayloadAt = -1

/**
 * msgpackr-extract reads a frame's strings natively, in bulk, in the order it meets them, and
 * skips extension payloads as opaque bytes. A nested payload read after such a bulk read takes the
 * wrong strings (a batch whose first reply held a Set of references garbled every later reply).
 * So the extractor is installed here, guarded: from a frame's first nested payload on, strings are
 * read in JS; if a bulk read had already happened, the frame is decoded again, in JS from the
 * start. That retry can only come at the first nested payload, before any reference was read, so
 * no reference (a client proxy, with its GC backstop) is ever made twice. Frames without nested
 * payloads keep the native speed.
 */
const RETRY_IN_JS = new Error('retry with strings read in JS')
let nativeStrings = true
let stringsExtracted = false
const extractStrings = loadExtractor()
if (extractStrings !== undefined) {
  setExtractor((start, end, buffer) => {
    if (!nativeStrings) throw RETRY_IN_JS // msgpackr then reads this frame's strings in JS
    stringsExtracted = true
    return extractStrings(start, end, buffer)
  })
}

function loadExtractor(): ((start: number, end: number, buffer: ArrayBufferLike) => unknown) | undefined {
  if (process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED?.toLowerCase() === 'true') return undefined
  try {
    // resolved as msgpackr itself resolves its optional native part
    const native = createRequire(require.resolve('msgpackr'))('msgpackr-extract') as { extractStrings?: unknown }
    return typeof native.extractStrings === 'function' ? (native.extractStrings as ReturnType<typeof loadExtractor>) : undefined
  } catch {
    return undefined
  }
}

function nested(data: Uint8Array, readAt: ReadAt | undefined): unknown {
  if (readAt !== undefined) {
    if (stringsExtracted) throw RETRY_IN_JS
    nativeStrings = false
  }
  const at = data.byteOffset - srcOffset
  // msgpackr resumes after an extension at its declared end, so a payload whose value runs past
  // it makes the following bytes be read again; nested, that costs quadratic time. Every payload
  // of a well-formed frame starts after the last one: meeting one again is refused.
  if (at <= lastPayloadAt) throw new Error('an extension payload must hold exactly one value')
  lastPayloadAt = at
  // msgpackr hands fixext1 payloads over without a reader. Not unpack(): a nested unpack copies
  // the whole frame (msgpackr's saveState), so a frame of many empty Maps would cost quadratic time.
  if (readAt === undefined) return oneByteValue(data[0]!)
  return readAt(at)
}

function install(type: number, unpack: (data: Uint8Array, readAt: ReadAt | undefined) => unknown): void {
  addExtension({ type, unpack } as unknown as Parameters<typeof addExtension>[0])
}

install(ExtCode.REFERENCE, (data, readAt) => {
  const pair = nested(data, readAt)
  if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'string' || pair.length !== 2) {
    throw new Error('malformed reference extension')
  }
  referenceCount++
  if (readReference === null) throw new Error('a reference cannot be decoded here')
  return readReference(pair[0], pair[1])
})
install(ExtCode.MAP, (data, readAt) => {
  const pairs = nested(data, readAt)
  if (!Array.isArray(pairs) || pairs.length % 2) throw new Error('malformed Map extension')
  const map = new Map<unknown, unknown>()
  for (let i = 0; i < pairs.length; i += 2) map.set(pairs[i], pairs[i + 1])
  return map
})
install(ExtCode.SET, (data, readAt) => {
  const items = nested(data, readAt)
  if (!Array.isArray(items)) throw new Error('malformed Set extension')
  return new Set(items)
})
install(ExtCode.BIGINT, (data) => {
  if (data.length === 0) throw new Error('malformed BigInt extension')
  const unsigned = BigInt('0x' + Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex'))
  return BigInt.asIntN(data.length * 8, unsigned)
})
install(ExtCode.TYPED_ARRAY, (data) => {
  const cls = TYPED_ARRAY_KINDS[data[0] ?? 255]
  if (cls === undefined) throw new Error(`unknown typed array kind ${data[0]}`)
  // Copy into a fresh, aligned buffer: the frame is not aligned and must not be pinned.
  const bytes = Uint8Array.prototype.slice.call(data, 1)
  if (bytes.byteLength % cls.BYTES_PER_ELEMENT) throw new Error(`${cls.name} payload is not a whole number of elements`)
  return new cls(bytes.buffer)
})
install(ExtCode.ERROR, (data, readAt) => readError(nested(data, readAt)))
install(ExtCode.OBJECT, (data, readAt) => pairsToObject(nested(data, readAt)))

// Every code not in the table (msgpackr's own included) decodes to a marker instead.
const assigned = new Set<number>(Object.values(ExtCode).map((c) => c & 0xff))
for (let type = 1; type < 0x100; type++) {
  if (assigned.has(type)) continue
  installUnknown(type)
}
function installUnknown(type: number): void {
  install(type, (data) => {
    unknownCount++
    return new UnknownExtension(type >= 0x80 ? type - 0x100 : type, Uint8Array.prototype.slice.call(data))
  })
}
onCodecRegistered((codec) => {
  install(codec.type, (data, readAt) => {
    const current = userCodecForType(codec.type)
    const payload = nested(data, readAt)
    if (protoPlaceholder !== null) restoreProtoKeys(payload, protoPlaceholder)
    return current!.decode(payload)
  })
})
const unpackr = new Unpackr({
  useRecords: false,
  mapsAsObjects: true,
  int64AsType: 'bigint',
  copyBuffers: true,
  structuredClone: false,
  moreTypes: false,
} as ConstructorParameters<typeof Unpackr>[0])

export interface DecodeStats {
  /** References decoded in the last frame. */
  references: number
  /** Values under unknown extension codes in the last frame. */
  unknown: number
}

export interface DecoderOptions {
  /** Scan every frame (depth limit, exact extension payloads) before decoding it: the handshake's. */
  strict?: boolean
}

/** Decodes frames for one side of the wire. Not re-entrant across sides (nor needs to be). */
export class Decoder {
  readonly #readReference: ReferenceReader | null
  readonly #strict: boolean
  /** Counts for the last decode; lets callers skip walking values that hold no references. */
  readonly stats: DecodeStats = { references: 0, unknown: 0 }

  constructor(readReference?: ReferenceReader, options: DecoderOptions = {}) {
    this.#readReference = readReference ?? null
    this.#strict = options.strict ?? false
  }

  decode(frame: Uint8Array): unknown {
    const savedReader = readReference
    const savedOffset = srcOffset
    const savedRefs = referenceCount
    const savedUnknown = unknownCount
    const savedPayloadAt = lastPayloadAt
    readReference = this.#readReference
    referenceCount = 0
    unknownCount = 0
    try {
      const bytes = Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength)
      if (this.#strict || mayHoldProtoKey(bytes)) return decodeChecked(bytes)
      return unpackChecked(bytes)
    } catch (err) {
      // msgpackr's reader recurses: a frame nested thousands of levels deep exhausts the stack.
      // (By name: an overflow inside a Node builtin throws the RangeError of another realm.)
      if ((err as Error)?.name === 'RangeError' && /call stack/.test((err as Error).message)) {
        throw new Error('value nested too deeply to decode', { cause: err })
      }
      throw err
    } finally {
      this.stats.references = referenceCount
      this.stats.unknown = unknownCount
      readReference = savedReader
      srcOffset = savedOffset
      referenceCount = savedRefs
      unknownCount = savedUnknown
      lastPayloadAt = savedPayloadAt
    }
  }
}

function unpackChecked(bytes: Buffer): unknown {
  const savedNative = nativeStrings
  const savedExtracted = stringsExtracted
  let value: unknown
  try {
    value = unpackOnce(bytes, true)
  } catch (err) {
    if (err !== RETRY_IN_JS) throw err
    value = unpackOnce(bytes, false)
  } finally {
    nativeStrings = savedNative
    stringsExtracted = savedExtracted
  }
  // msgpackr returns a marker for the never-used byte 0xc1 instead of failing
  if (value === C1) throw new Error('0xc1 is not a MessagePack value')
  return value
}

function unpackOnce(bytes: Buffer, native: boolean): unknown {
  srcOffset = bytes.byteOffset
  lastPayloadAt = -1
  referenceCount = 0
  unknownCount = 0
  nativeStrings = native
  stringsExtracted = false
  return unpackr.unpack(bytes)
}

/** The slow path: refuse what is too deep or crafted, keep '__proto__' map keys as data. */
function decodeChecked(bytes: Buffer): unknown {
  const scan = scanFrame(bytes, MAX_FRAME_DEPTH, isUserCodecType)
  if (scan.problem === 'too deep') throw new Error(`value nested deeper than ${MAX_FRAME_DEPTH} levels`)
  if (scan.problem !== null) throw new Error('an extension payload must hold exactly one value')
  if (scan.protoKeys === null) return unpackChecked(bytes)
  const placeholder = pickPlaceholder(bytes)
  const saved = protoPlaceholder
  protoPlaceholder = placeholder
  try {
    const value = unpackChecked(withPlaceholders(bytes, scan.protoKeys, placeholder))
    restoreProtoKeys(value, placeholder)
    return value
  } finally {
    protoPlaceholder = saved
  }
}
