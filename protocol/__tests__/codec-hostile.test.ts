// The decoder against hostile or unusual input: linear work however the bytes are arranged,
// '__proto__' map keys kept as data, nested payloads read right after bulk string reads, and
// the byte-level scan (depth as the encoder counts it, exact payloads, key positions).
import * as lite from 'msgpack-lite'
import { Decoder, Encoder, registerCodec } from '..'
import { scanFrame } from '../codec/frame-scan'

class Ref {
  constructor(
    readonly typeid: string,
    readonly id: string,
  ) {}
}
const enc = new Encoder({ cls: Ref, toWire: (r: Ref) => [r.typeid, r.id] })
const dec = new Decoder((typeid, id) => new Ref(typeid, id))
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex')
const own = (o: object, key: string): unknown => Object.getOwnPropertyDescriptor(o, key)?.value

describe('nested payloads and native string reads', () => {
  const pad = 'x'.repeat(150)
  test.each([
    ['a Set holding [reference, float, Set of a string]', new Set([[new Ref('Value', 'b4.1'), -1.5, new Set(['toString', -484])]])],
    ['a batch whose first reply holds nested Sets', new Set([new Set([new Ref('Value', 'b4.1em'), -1.5, new Set(['toString'])])])],
    ['Maps in Maps with string keys and references', new Map([['k', new Map([['k2', [new Ref('dict', 'a.1'), 0.25, new Map([['deep', 'v']])]]])]])],
  ])('%s: the strings after it are still right', (_name, value) => {
    const out = dec.decode(enc.encode(['before', value, 'after', pad])) as unknown[]
    expect(out).toEqual(['before', value, 'after', pad])
  })
})

test('each reference is read once, even when the frame is decoded again in JS', () => {
  // A long string first makes msgpackr read strings natively in bulk; the references come after.
  const seen: string[] = []
  const counting = new Decoder((typeid, id) => {
    seen.push(id)
    return new Ref(typeid, id)
  })
  const value = ['y'.repeat(200), new Ref('dict', 'a.1'), new Set([new Ref('list', 'a.2'), 'z'.repeat(40)]), 'after']
  expect(counting.decode(enc.encode(value))).toEqual(value)
  expect(seen).toEqual(['a.1', 'a.2'])
})

describe('linear work on crafted frames', () => {
  test('a frame of 300 000 empty Maps (fixext1 payloads) decodes', () => {
    // msgpackr's nested unpack copied the whole frame for each one: hours for this frame
    const value = Array.from({ length: 300_000 }, () => new Map())
    expect((dec.decode(enc.encode(value)) as unknown[]).length).toBe(300_000)
  })

  test('an extension whose value runs past its payload is refused, not re-read', () => {
    // ext8 length 0, type Error, then the "payload" value: 300 nested, each re-reading the rest
    const frame = Buffer.concat([hex('dc 00 64'), Buffer.alloc(900).fill(hex('c7 00 06')), hex('90')])
    expect(() => dec.decode(frame)).toThrow(/exactly one value/)
  })

  test('10 000 nested arrays are refused as too deep, not a stack overflow', () => {
    expect(() => dec.decode(Buffer.concat([Buffer.alloc(10_000, 0x91), hex('01')]))).toThrow(/nested too deeply/)
    expect(dec.decode(hex('92 01 02'))).toEqual([1, 2]) // and the decoder works afterwards
  })

  test('a strict decoder refuses past 1001 levels, exactly', () => {
    const strict = new Decoder(undefined, { strict: true })
    const nestedArrays = (n: number): Buffer => Buffer.concat([Buffer.alloc(n, 0x91), hex('01')])
    expect(() => strict.decode(nestedArrays(1001))).not.toThrow()
    expect(() => strict.decode(nestedArrays(1002))).toThrow(/nested deeper than 1001 levels/)
  })
})

describe("'__proto__' map keys from other msgpack encoders", () => {
  test('a plain msgpack map key __proto__ is an own data property, never the prototype', () => {
    const out = dec.decode(lite.encode(JSON.parse('{"__proto__": {"polluted": 1}, "a": 1}'))) as Record<string, unknown>
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    expect(Object.keys(out)).toEqual(['__proto__', 'a'])
    expect(own(out, '__proto__')).toEqual({ polluted: 1 })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  test("it no longer collides with a real '__proto_' key (msgpackr renamed one into the other)", () => {
    const out = dec.decode(lite.encode(JSON.parse('{"__proto_": 1, "__proto__": 2}'))) as Record<string, unknown>
    expect(Object.keys(out)).toEqual(['__proto_', '__proto__'])
    expect([out.__proto_, own(out, '__proto__')]).toEqual([1, 2])
  })

  test('nested in objects and arrays, and in frames long enough for the native string reader', () => {
    const inner = '{"__proto__": {"__proto__": [1, {"__proto__": "x"}]}}'
    const frame = Buffer.concat([hex('94'), lite.encode(JSON.parse(inner)), enc.encode(new Map([['m', new Set([1])]])), enc.encode('y'.repeat(300)), hex('91'), lite.encode(JSON.parse(inner))])
    const [first, , long, [last]] = dec.decode(frame) as [Record<string, unknown>, unknown, string, Record<string, unknown>[]]
    for (const o of [first, last!]) {
      const level1 = own(o, '__proto__') as Record<string, unknown>
      const level2 = own(level1, '__proto__') as unknown[]
      expect(level2[0]).toBe(1)
      expect(own(level2[1] as object, '__proto__')).toBe('x')
    }
    expect(long).toBe('y'.repeat(300))
  })

  test('a __proto__ string that is a value, not a key, is left alone', () => {
    expect(dec.decode(lite.encode({ a: '__proto__', b: ['__proto__'] }))).toEqual({ a: '__proto__', b: ['__proto__'] })
  })

  test('round trip: what the daemon decodes it sends back as data (extension 0x07)', () => {
    const out = dec.decode(lite.encode(JSON.parse('{"__proto__": 5}'))) as object
    const again = dec.decode(enc.encode(out)) as object
    expect(own(again, '__proto__')).toBe(5)
    expect(Object.getPrototypeOf(again)).toBe(Object.prototype)
  })

  test('inside a user codec payload', () => {
    class Box {
      constructor(readonly data: unknown) {}
    }
    registerCodec({ type: 0x2a, cls: Box, encode: (b: Box) => b.data, decode: (d: unknown) => new Box(d) })
    const payload = lite.encode(JSON.parse('{"__proto__": 7}'))
    const out = dec.decode(Buffer.concat([Buffer.from([0xc7, payload.length, 0x2a]), payload])) as Box
    expect(out).toBeInstanceOf(Box)
    expect(own(out.data as object, '__proto__')).toBe(7)
  })
})

describe('scanFrame', () => {
  const never = (): boolean => false
  test('counts depth as the encoder does: a Map or Set is one level', () => {
    let v: unknown = 1
    for (let i = 0; i < 10; i++) v = new Map([['k', v]])
    const bytes = enc.encode(v)
    expect(scanFrame(bytes, 10, never).problem).toBeNull()
    expect(scanFrame(bytes, 9, never).problem).toBe('too deep')
  })

  test('finds __proto__ keys at key positions only, in every string format', () => {
    const key = Buffer.from('__proto__')
    // {__proto__: 1, __proto__ (as str8): 2, a: '__proto__', b: '__proto__'}: keys at 2 and 14
    const frame = Buffer.concat([hex('84 a9'), key, hex('01 d9 09'), key, hex('02 a1 61 a9'), key, hex('a1 62 a9'), key])
    const { protoKeys } = scanFrame(frame, 10, never)
    expect(protoKeys).toEqual([2, 14])
  })

  test('flags an extension payload that does not hold exactly one value', () => {
    expect(scanFrame(hex('c7 00 06 90'), 10, never).problem).toBe('bad extension payload')
    expect(scanFrame(hex('c7 02 03 90 90'), 10, never).problem).toBe('bad extension payload')
    expect(scanFrame(hex('c7 01 03 90'), 10, never).problem).toBeNull()
  })
})
