import * as lite from 'msgpack-lite'
import { Decoder, Encoder, ExtCode, registerCodec, UnknownExtension, UnserializableError, ConfigError } from '..'

class Ref {
  constructor(
    readonly typeid: string,
    readonly id: string,
  ) {}
}
const refWriter = { cls: Ref, toWire: (r: Ref) => [r.typeid, r.id] as const }

function roundTrip(value: unknown): unknown {
  const enc = new Encoder(refWriter)
  const dec = new Decoder((typeid, id) => new Ref(typeid, id))
  return dec.decode(enc.encode(value))
}

describe('codec round trips', () => {
  const cases: Array<[string, unknown]> = [
    ['null', null],
    ['true', true],
    ['false', false],
    ['undefined', undefined],
    ['small int', 7],
    ['negative fixint', -5],
    ['int8', -100],
    ['uint8', 200],
    ['uint16', 60000],
    ['int16', -30000],
    ['uint32', 4000000000],
    ['int32', -2000000000],
    ['2^40 stays a number', 2 ** 40],
    ['-2^40 stays a number', -(2 ** 40)],
    ['float', 3.25],
    ['-0', -0],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['empty string', ''],
    ['ascii', 'hello'],
    ['31 chars', 'a'.repeat(31)],
    ['32 chars', 'a'.repeat(32)],
    ['63 chars of 3-byte utf8', '€'.repeat(63)],
    ['emoji surrogate pairs', 'a😀b😀'],
    ['long string', 'x'.repeat(70000)],
    ['long utf8 string', 'ü'.repeat(40000)],
    ['array', [1, 'two', [3], { four: 4 }]],
    ['big array', Array.from({ length: 70000 }, (_, i) => i)],
    ['object', { a: 1, b: { c: [1, 2] } }],
    ['object with 20 keys', Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]))],
    ['Map with any keys', new Map<unknown, unknown>([[1, 'one'], ['1', 'string one'], [true, null]])],
    ['empty Map', new Map()],
    ['empty Set', new Set()],
    ['Set', new Set([1, 'a', 2])],
    ['BigInt small', 5n],
    ['BigInt negative', -5n],
    ['BigInt uint64', 2n ** 64n - 1n],
    ['BigInt huge', 2n ** 200n + 12345n],
    ['BigInt huge negative', -(2n ** 130n)],
    ['BigInt -2^63', -(2n ** 63n)],
    ['Date', new Date('2024-05-06T07:08:09.123Z')],
    ['Date whole seconds', new Date('2024-05-06T07:08:09Z')],
    ['Date before 1970', new Date('1900-01-01T00:00:00.5Z')],
    ['Date far future', new Date('2600-01-01T00:00:00Z')],
    ['Buffer', Buffer.from([1, 2, 3])],
    ['Float64Array', new Float64Array([1.5, -2.25])],
    ['Int32Array', new Int32Array([-1, 2 ** 31 - 1])],
    ['BigInt64Array', new BigInt64Array([-1n, 2n ** 62n])],
    ['Float32Array of 4 elements (fixext16)', new Float32Array([1, 2, 3, 4])],
    ['undefined inside array', [undefined, 1]],
    ['reference', new Ref('dict', 'abc.1')],
    ['nested references', { a: [new Ref('list', 'x.1')], m: new Map([['k', new Ref('dict', 'x.2')]]) }],
    ['null-prototype object', Object.assign(Object.create(null), { x: 1 })],
  ]
  test.each(cases)('%s', (_name, value) => {
    expect(roundTrip(value)).toEqual(value)
  })

  test('Buffer comes back as a Buffer and does not pin the frame', () => {
    const out = roundTrip({ b: Buffer.from('abc') }) as { b: Buffer }
    expect(Buffer.isBuffer(out.b)).toBe(true)
    expect(out.b.buffer.byteLength).toBe(3)
  })

  test('a number never comes back as a BigInt, a BigInt never as a number', () => {
    expect(typeof roundTrip(5)).toBe('number')
    expect(typeof roundTrip(5n)).toBe('bigint')
    expect(typeof roundTrip(2 ** 53)).toBe('number')
  })

  test('Error keeps name, message, code and data', () => {
    const err = Object.assign(new TypeError('bad thing'), { code: 'E_BAD', data: { n: 1 } })
    const out = roundTrip(err) as TypeError & { code: string; data: unknown }
    expect(out).toBeInstanceOf(TypeError)
    expect(out.message).toBe('bad thing')
    expect(out.code).toBe('E_BAD')
    expect(out.data).toEqual({ n: 1 })
    const custom = roundTrip(Object.assign(new Error('x'), { name: 'CustomError' })) as Error
    expect(custom.name).toBe('CustomError')
  })

  test("an own '__proto__' key stays data and sets no prototype", () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>
    const out = roundTrip(hostile) as Record<string, unknown>
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    expect(Object.keys(out)).toEqual(['__proto__', 'a'])
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ polluted: true })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  test('a Map with a __proto__ key keeps it as data', () => {
    const out = roundTrip(new Map([['__proto__', 1]])) as Map<string, number>
    expect(out.get('__proto__')).toBe(1)
  })
})

describe('codec refusals', () => {
  const enc = new Encoder(refWriter)
  class Point {
    x = 1
  }
  const cases: Array<[string, unknown, RegExp]> = [
    ['function', { a: () => 1 }, /function.*\$\.a/],
    ['symbol', [Symbol('s')], /symbol.*\$\[0\]/],
    ['class instance', { p: new Point() }, /instance of Point.*registerCodec/],
    ['cycle', (() => { const a: unknown[] = []; a.push(a); return a })(), /nested deeper/],
    ['invalid date', new Date(NaN), /invalid Date/],
    ['WeakMap', new WeakMap(), /instance of WeakMap/],
  ]
  test.each(cases)('%s is UnserializableError', (_n, value, message) => {
    let caught: unknown
    try {
      enc.encode(value)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(UnserializableError)
    expect((caught as UnserializableError).code).toBe('MANAGERD_ERR_UNSERIALIZABLE')
    expect((caught as Error).message).toMatch(message)
  })

  test('the encoder is usable after a failure', () => {
    expect(() => enc.encode({ f: () => 1 })).toThrow(UnserializableError)
    expect(new Decoder().decode(enc.encode({ ok: 1 }))).toEqual({ ok: 1 })
  })

  test('decoding garbage throws rather than returning junk', () => {
    const dec = new Decoder()
    expect(() => dec.decode(Buffer.from([0x92, 0x01]))).toThrow()
    expect(() => dec.decode(Buffer.from([0xc1]))).toThrow()
    expect(() => dec.decode(Buffer.from([0x01, 0x02]))).toThrow()
  })

  test('an unknown extension decodes to a marker and is counted', () => {
    const dec = new Decoder()
    const out = dec.decode(Buffer.from([0x91, 0xd4, 0x55, 0x09])) as unknown[]
    expect(out[0]).toBeInstanceOf(UnknownExtension)
    expect((out[0] as UnknownExtension).type).toBe(0x55)
    expect(dec.stats.unknown).toBe(1)
    // msgpackr's own codes are unknown to the protocol too (0x73 is its Set)
    const set = dec.decode(Buffer.from([0xd4, 0x73, 0x90]))
    expect(set).toBeInstanceOf(UnknownExtension)
  })
})

describe('user codecs', () => {
  class Money {
    constructor(
      readonly cents: bigint,
      readonly currency: string,
    ) {}
  }
  class Euro extends Money {}
  beforeAll(() => {
    registerCodec({
      type: 0x20,
      cls: Money,
      encode: (m: Money) => [m.cents, m.currency],
      decode: ([cents, currency]: [bigint, string]) => new Money(cents, currency),
    })
  })

  test('instances and subclass instances travel', () => {
    expect(roundTrip({ price: new Money(1999n, 'EUR') })).toEqual({ price: new Money(1999n, 'EUR') })
    expect(roundTrip(new Euro(5n, 'EUR'))).toBeInstanceOf(Money)
  })

  test.each([
    ['a protocol code', 0x02],
    ['a msgpackr code', 0x42],
    ['out of range', 0x80],
    ['not an integer', 16.5],
  ])('refuses %s', (_n, type) => {
    class Other {}
    expect(() => registerCodec({ type, cls: Other, encode: () => 1, decode: () => new Other() })).toThrow(ConfigError)
  })

  test('refuses a second class on a taken code', () => {
    class Other {}
    expect(() => registerCodec({ type: 0x20, cls: Other, encode: () => 1, decode: () => new Other() })).toThrow(/already registered/)
  })
})

describe('wire is plain msgpack', () => {
  test('msgpack-lite reads what the encoder writes for plain values', () => {
    const value = { a: [1, 'x', null, true, 2.5], s: 'hé' }
    expect(lite.decode(new Encoder().encode(value))).toEqual(value)
  })
  test('the decoder reads what msgpack-lite writes', () => {
    const value = [1, 'set', ['k', { nested: [1, 2] }, 70000, -70000, 1.5]]
    expect(new Decoder().decode(lite.encode(value))).toEqual(value)
  })
  test('undefined is fixext1 code 0 and a reference is ext 1 holding [typeid, id]', () => {
    expect([...new Encoder().encode(undefined)]).toEqual([0xd4, ExtCode.UNDEFINED, 0])
    const bytes = new Encoder(refWriter).encode(new Ref('d', 'i'))
    // ext8 of 5 bytes: 0x92 0xa1 'd' 0xa1 'i'
    expect([...bytes]).toEqual([0xc7, 5, ExtCode.REFERENCE, 0x92, 0xa1, 0x64, 0xa1, 0x69])
  })
})
