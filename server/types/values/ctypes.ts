// The sharedctypes typecodes and C's coercions: a value is stored as the C type would hold it.
// Integers wrap (int32 at 2^31, uint8 at 256), float32 rounds, 64-bit integers are BigInts, 'c'
// is one byte (a Buffer of length 1) and 'u' one character. 'l'/'L' are 32-bit here on every
// platform (C long is 64-bit only on some); use 'q'/'Q' for 64 bits. A value of the wrong kind
// (a fraction for an int, a string for a number…) is refused, as ctypes refuses it.

import { BadArgumentsError } from '../../../protocol'
import { describe } from '../sync/blocking'

export type Typecode = 'b' | 'B' | 'h' | 'H' | 'i' | 'I' | 'l' | 'L' | 'q' | 'Q' | 'f' | 'd' | 'c' | 'u'
export type CValue = number | bigint | Buffer | string

/** A fixed-length run of one C type (an Array's storage). */
export interface Cells {
  readonly length: number
  get(i: number): CValue
  set(i: number, value: CValue): void
  /** Items [start, end) as sent to clients: numbers/BigInts as an array, 'c' as a Buffer, 'u' as a string. */
  slice(start: number, end: number): unknown
}

export interface CType {
  readonly typecode: Typecode
  /** The ctypes name, for messages. */
  readonly name: string
  readonly zero: CValue
  /** The value as the C type holds it; BadArgumentsError for a value of the wrong kind. */
  coerce(value: unknown, what: string): CValue
  /** `a + n` as C computes it (wrapping, rounding); BadArgumentsError for non-numeric types. */
  add(a: CValue, n: unknown, what: string): CValue
  equals(a: CValue, b: CValue): boolean
  cells(length: number): Cells
}

type IntArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
type NumArray = IntArray | Float32Array | Float64Array | BigInt64Array | BigUint64Array

function wrongKind(name: string, expected: string, value: unknown, what: string): BadArgumentsError {
  return new BadArgumentsError(`${what}: ${name} expects ${expected}, not ${describe(value)}`)
}

/** Typed-array cells: the typed array itself wraps and rounds exactly as C does. */
function typedCells(make: (n: number) => NumArray): (n: number) => Cells {
  return (n) => {
    const a = make(n)
    return {
      length: n,
      get: (i) => a[i]!,
      set: (i, v) => {
        ;(a as unknown as Array<CValue>)[i] = v
      },
      slice: (s, e) => Array.from(a.subarray(s, e) as ArrayLike<number | bigint>),
    }
  }
}

function int(typecode: Typecode, name: string, wrap: (n: number) => number, make: (n: number) => IntArray): CType {
  const coerce = (value: unknown, what: string): number => {
    if (typeof value === 'number' && Number.isInteger(value)) return wrap(value)
    // ToInt32 of the exact value, then the narrower wrap: both are reductions modulo 2^k.
    if (typeof value === 'bigint') return wrap(Number(BigInt.asIntN(32, value)))
    throw wrongKind(name, 'an integer', value, what)
  }
  return {
    typecode,
    name,
    zero: 0,
    coerce,
    // Both operands are below 2^32, so the sum is exact before it wraps.
    add: (a, n, what) => wrap((a as number) + coerce(n, what)),
    equals: (a, b) => a === b,
    cells: typedCells(make),
  }
}

function int64(typecode: Typecode, name: string, bits: (n: bigint) => bigint, make: (n: number) => NumArray): CType {
  const coerce = (value: unknown, what: string): bigint => {
    if (typeof value === 'bigint') return bits(value)
    if (typeof value === 'number' && Number.isInteger(value)) return bits(BigInt(value))
    throw wrongKind(name, 'an integer (a BigInt for values beyond 2^53)', value, what)
  }
  return {
    typecode,
    name,
    zero: 0n,
    coerce,
    add: (a, n, what) => bits((a as bigint) + coerce(n, what)),
    equals: (a, b) => a === b,
    cells: typedCells(make),
  }
}

function float(typecode: Typecode, name: string, round: (n: number) => number, make: (n: number) => NumArray): CType {
  const coerce = (value: unknown, what: string): number => {
    if (typeof value === 'number') return round(value)
    if (typeof value === 'bigint') return round(Number(value))
    throw wrongKind(name, 'a number', value, what)
  }
  return {
    typecode,
    name,
    zero: 0,
    coerce,
    add: (a, n, what) => round((a as number) + coerce(n, what)),
    equals: (a, b) => a === b,
    cells: typedCells(make),
  }
}

function notNumeric(name: string): (a: CValue, n: unknown, what: string) => never {
  return (_a, _n, what) => {
    throw new BadArgumentsError(`${what}: ${name} is not a number type; add() needs one`)
  }
}

const cChar: CType = {
  typecode: 'c',
  name: 'c_char',
  zero: Buffer.alloc(1),
  coerce: (value, what) => {
    if (value instanceof Uint8Array && value.length === 1) return Buffer.from(value)
    throw wrongKind('c_char', 'bytes of length 1 (a Buffer)', value, what)
  },
  add: notNumeric('c_char'),
  equals: (a, b) => (a as Buffer).equals(b as Buffer),
  cells: (n) => {
    const bytes = Buffer.alloc(n)
    return {
      length: n,
      get: (i) => Buffer.from([bytes[i]!]),
      set: (i, v) => {
        bytes[i] = (v as Buffer)[0]!
      },
      slice: (s, e) => Buffer.from(bytes.subarray(s, e)),
    }
  },
}

const cWchar: CType = {
  typecode: 'u',
  name: 'c_wchar',
  zero: '\0',
  coerce: (value, what) => {
    if (typeof value === 'string' && value.length > 0 && value.length === (value.codePointAt(0)! > 0xffff ? 2 : 1)) return value
    throw wrongKind('c_wchar', 'a string of one character', value, what)
  },
  add: notNumeric('c_wchar'),
  equals: (a, b) => a === b,
  cells: (n) => {
    const chars = new Array<string>(n).fill('\0')
    return {
      length: n,
      get: (i) => chars[i]!,
      set: (i, v) => {
        chars[i] = v as string
      },
      slice: (s, e) => chars.slice(s, e).join(''),
    }
  },
}

const CTYPES: ReadonlyMap<string, CType> = new Map(
  [
    int('b', 'c_byte', (n) => (n << 24) >> 24, (n) => new Int8Array(n)),
    int('B', 'c_ubyte', (n) => n & 0xff, (n) => new Uint8Array(n)),
    int('h', 'c_short', (n) => (n << 16) >> 16, (n) => new Int16Array(n)),
    int('H', 'c_ushort', (n) => n & 0xffff, (n) => new Uint16Array(n)),
    int('i', 'c_int', (n) => n | 0, (n) => new Int32Array(n)),
    int('I', 'c_uint', (n) => n >>> 0, (n) => new Uint32Array(n)),
    int('l', 'c_long', (n) => n | 0, (n) => new Int32Array(n)),
    int('L', 'c_ulong', (n) => n >>> 0, (n) => new Uint32Array(n)),
    int64('q', 'c_longlong', (n) => BigInt.asIntN(64, n), (n) => new BigInt64Array(n)),
    int64('Q', 'c_ulonglong', (n) => BigInt.asUintN(64, n), (n) => new BigUint64Array(n)),
    float('f', 'c_float', Math.fround, (n) => new Float32Array(n)),
    float('d', 'c_double', (n) => n, (n) => new Float64Array(n)),
    cChar,
    cWchar,
  ].map((t) => [t.typecode, t]),
)

export function ctypeOf(typecode: unknown, what: string): CType {
  const t = typeof typecode === 'string' ? CTYPES.get(typecode) : undefined
  if (t === undefined) {
    throw new BadArgumentsError(`${what}: unknown typecode ${describe(typecode)} (one of ${[...CTYPES.keys()].join(' ')})`)
  }
  return t
}
