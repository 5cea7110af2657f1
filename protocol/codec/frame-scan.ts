// A byte-level walk over one MessagePack value that builds nothing: how deeply it nests, and
// where plain-map keys spelled '__proto__' sit. The decoder runs it only on its slow path (frames
// long enough to nest too deeply, or holding the bytes '__proto__'), never on a small call.

import { ExtCode } from './ext-codes'

export interface FrameScan {
  /**
   * Why the frame must be refused: nested deeper than the limit (counted as the encoder counts,
   * a Map or Set being one level), or an extension whose payload is not exactly one value.
   */
  problem: 'too deep' | 'bad extension payload' | null
  /** Offsets of the 9 content bytes of every map key '__proto__', or null when there is none. */
  protoKeys: number[] | null
}

const PROTO = Buffer.from('__proto__')

/**
 * Scan `buf`. `isNestingExt` names further codes (user codecs) whose payload is a msgpack value.
 * Malformed input never throws here: the scan stops, and the decoder reports the problem.
 */
// Per open level: items still to read, its depth, whether it is a map, where an ext body ends
// (-1: not an ext body). Allocated once and grown on demand: the scan itself allocates nothing.
let remaining = new Int32Array(0)
let depthOf = new Int32Array(0)
let isMap = new Uint8Array(0)
let extEnd = new Int32Array(0)

function ensureLevels(levels: number): void {
  if (remaining.length >= levels) return
  remaining = new Int32Array(levels)
  depthOf = new Int32Array(levels)
  isMap = new Uint8Array(levels)
  extEnd = new Int32Array(levels)
}

const TOO_DEEP: FrameScan = { problem: 'too deep', protoKeys: null }
const BAD_EXT: FrameScan = { problem: 'bad extension payload', protoKeys: null }
const NO_PROBLEM: FrameScan = { problem: null, protoKeys: null }

/**
 * Scan `buf`. `isNestingExt` names further codes (user codecs) whose payload is a msgpack value.
 * Malformed input never throws here: the scan stops, and the decoder reports the problem.
 */
export function scanFrame(buf: Uint8Array, maxDepth: number, isNestingExt: (type: number) => boolean): FrameScan {
  // An ext level and its body share a depth, so there can be twice as many levels as depth.
  const levels = 2 * maxDepth + 4
  ensureLevels(levels)
  const end = buf.length
  let protoKeys: number[] | null = null
  // The open level lives in locals; outer levels are saved in the arrays.
  let level = 0
  let rem = 1
  let depth = 0
  let inMap = 0
  let bodyEnd = -1
  let pos = 0
  // Set when the next item is an extension's body: a container there is the extension's own level.
  let bodyOfExt = false

  for (;;) {
    // Close every level that has all its items. An ext body must end at the ext's declared end:
    // msgpackr would resume there, re-reading or skipping bytes (quadratic work on crafted input).
    while (rem === 0 && level > 0) {
      if (bodyEnd >= 0 && pos !== bodyEnd) return BAD_EXT
      level--
      rem = remaining[level]!
      depth = depthOf[level]!
      inMap = isMap[level]!
      bodyEnd = extEnd[level]!
    }
    if (pos >= end || rem === 0) break
    const b = buf[pos]!
    const kind = KIND[b]!
    let count: number
    let map = 0
    let nextEnd = -1
    rem--
    switch (kind) {
      case K_SCALAR:
        pos += SIZE[b]!
        bodyOfExt = false
        continue
      case K_FIXSTR: {
        const len = b & 0x1f
        // a map key: an odd count of items left once this one is taken
        if (len === 9 && inMap === 1 && (rem & 1) === 1 && matchesProto(buf, pos + 1)) (protoKeys ??= []).push(pos + 1)
        pos += 1 + len
        bodyOfExt = false
        continue
      }
      case K_STR: {
        const header = SIZE[b]!
        const len = readLength(buf, pos + 1, header - 1)
        if (len === 9 && inMap === 1 && (rem & 1) === 1 && matchesProto(buf, pos + header)) (protoKeys ??= []).push(pos + header)
        pos += header + len
        bodyOfExt = false
        continue
      }
      case K_BIN: {
        const header = SIZE[b]!
        pos += header + readLength(buf, pos + 1, header - 1)
        bodyOfExt = false
        continue
      }
      case K_FIXMAP:
        pos++
        map = 1
        count = (b & 0x0f) * 2
        break
      case K_FIXARRAY:
        pos++
        count = b & 0x0f
        break
      case K_ARRAY:
      case K_MAP: {
        const header = SIZE[b]!
        const n = readLength(buf, pos + 1, header - 1)
        pos += header
        map = kind === K_MAP ? 1 : 0
        count = map === 1 ? n * 2 : n
        break
      }
      case K_FIXEXT:
      case K_EXT: {
        const header = SIZE[b]!
        const len = kind === K_FIXEXT ? 1 << (b - 0xd4) : readLength(buf, pos + 1, header - 2)
        const type = buf[pos + header - 1]!
        pos += header
        if (NESTING[type] !== 1 && !(type >= 0x10 && type < 0x80 && isNestingExt(type))) {
          pos += len
          bodyOfExt = false
          continue
        }
        count = 1
        nextEnd = pos + len
        break
      }
      default:
        return protoKeys === null ? NO_PROBLEM : { problem: null, protoKeys } // 0xc1: the decoder refuses it
    }
    const d = bodyOfExt ? depth : depth + 1
    if (d > maxDepth || level + 1 >= levels) return TOO_DEEP
    remaining[level] = rem
    depthOf[level] = depth
    isMap[level] = inMap
    extEnd[level] = bodyEnd
    level++
    // Every item takes a byte: a larger count is a truncated frame (the decoder says so).
    rem = count <= end - pos ? count : end - pos + 1
    depth = d
    inMap = map
    bodyEnd = nextEnd
    bodyOfExt = nextEnd >= 0
  }
  return protoKeys === null ? NO_PROBLEM : { problem: null, protoKeys }
}

/** Sizes (header included) of float32/64, uint8–64 and int8–64: 0xca … 0xd3. */
const FIXED_SIZES = [5, 9, 2, 3, 5, 9, 2, 3, 5, 9]

// What each first byte is, and its size (scalars) or header size (the rest).
const K_SCALAR = 0
const K_FIXSTR = 1
const K_STR = 2
const K_BIN = 3
const K_FIXMAP = 4
const K_FIXARRAY = 5
const K_ARRAY = 6
const K_MAP = 7
const K_FIXEXT = 8
const K_EXT = 9
const K_INVALID = 10
const KIND = new Uint8Array(256)
const SIZE = new Uint8Array(256)
for (let b = 0; b < 256; b++) {
  let kind = K_SCALAR
  let size = 1
  if (b >= 0x80 && b <= 0x8f) kind = K_FIXMAP
  else if (b >= 0x90 && b <= 0x9f) kind = K_FIXARRAY
  else if (b >= 0xa0 && b <= 0xbf) kind = K_FIXSTR
  else if (b === 0xc1) kind = K_INVALID
  else if (b >= 0xc4 && b <= 0xc6) [kind, size] = [K_BIN, [2, 3, 5][b - 0xc4]!]
  else if (b >= 0xc7 && b <= 0xc9) [kind, size] = [K_EXT, [3, 4, 6][b - 0xc7]!]
  else if (b >= 0xca && b <= 0xd3) size = FIXED_SIZES[b - 0xca]!
  else if (b >= 0xd4 && b <= 0xd8) [kind, size] = [K_FIXEXT, 2]
  else if (b >= 0xd9 && b <= 0xdb) [kind, size] = [K_STR, [2, 3, 5][b - 0xd9]!]
  else if (b === 0xdc || b === 0xdd) [kind, size] = [K_ARRAY, b === 0xdc ? 3 : 5]
  else if (b === 0xde || b === 0xdf) [kind, size] = [K_MAP, b === 0xde ? 3 : 5]
  KIND[b] = kind
  SIZE[b] = size
}

/** 1 for the protocol's extension codes whose payload is one msgpack value. */
const NESTING = new Uint8Array(256)
for (const code of [ExtCode.REFERENCE, ExtCode.MAP, ExtCode.SET, ExtCode.ERROR, ExtCode.OBJECT]) NESTING[code] = 1

function readLength(buf: Uint8Array, at: number, bytes: number): number {
  if (at + bytes > buf.length) return buf.length // truncated: jump to the end, the decoder reports it
  if (bytes === 1) return buf[at]!
  if (bytes === 2) return (buf[at]! << 8) | buf[at + 1]!
  return buf[at]! * 0x1000000 + ((buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!)
}

function matchesProto(buf: Uint8Array, at: number): boolean {
  if (at + 9 > buf.length) return false
  for (let i = 0; i < 9; i++) if (buf[at + i] !== PROTO[i]) return false
  return true
}
