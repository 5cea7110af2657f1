// The table of msgpack extension codes managerd puts on the wire (documented byte by byte in
// protocol/PROTOCOL.md). Everything else on the wire is plain MessagePack.

export const ExtCode = {
  /** fixext1, one data byte 0x00. Same convention as msgpackr and notepack. */
  UNDEFINED: 0x00,
  /** a shared object: payload is the msgpack array [typeid, id]. */
  REFERENCE: 0x01,
  /** a Map: payload is the msgpack array [k0, v0, k1, v1, …] in insertion order. */
  MAP: 0x02,
  /** a Set: payload is the msgpack array [v0, v1, …] in insertion order. */
  SET: 0x03,
  /** a BigInt outside the 64-bit range: payload is its two's-complement big-endian bytes. */
  BIGINT: 0x04,
  /** a typed array other than Uint8Array/Buffer: payload is [kind byte, element bytes little-endian…]. */
  TYPED_ARRAY: 0x05,
  /** an Error: payload is the msgpack map {name, message, stack?, code?, data?}. */
  ERROR: 0x06,
  /** a plain object with an own `__proto__` key: payload is [k0, v0, …], keys are strings. */
  OBJECT: 0x07,
  /** the standard msgpack timestamp extension (Date). */
  TIMESTAMP: -1,
} as const

/** Codes below this are the protocol's; user codecs take codes in [USER_EXT_MIN, USER_EXT_MAX]. */
export const USER_EXT_MIN = 0x10
export const USER_EXT_MAX = 0x7f

/**
 * Codes msgpackr keeps for its own types in its process-wide extension table; a user codec
 * there would break msgpackr (measured: registering 0x42 broke its BigInt support).
 */
export const MSGPACKR_RESERVED: ReadonlySet<number> = new Set([0x42, 0x62, 0x65, 0x69, 0x70, 0x72, 0x73, 0x74, 0x78])

/** Element kinds of ExtCode.TYPED_ARRAY, in this order (the byte is the index). */
export const TYPED_ARRAY_KINDS = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
] as const
