// fast-check arbitraries for fuzzing the daemon: values as the codec carries them (with prototype
// names, extreme numbers, references to real and made-up objects), requests of the right shape
// with random content, and "wild" frames — random bytes, random msgpack, mutated valid frames,
// crafted extensions, deep nesting — that may make the daemon close the connection.

import fc from 'fast-check'
import { SERVER_METHODS, Tag } from '../../protocol'
import { WireRef, enc } from './wire'

/** The fuzz daemon's --max-frame-bytes. */
export const MAX_FUZZ_FRAME = 64 * 1024

/** What the fuzz session has to aim at; filled in as sessions open. */
export interface FuzzWorld {
  /** Objects the fuzz session itself created, with their exposed methods. */
  objects: Array<{ typeid: string; id: string; exposed: string[] }>
  /** Every exposed method name seen in a #PROXY reply. */
  methods: Set<string>
}

export const TYPEIDS = ['dict', 'list', 'Namespace', 'Iterator', 'Queue', 'JoinableQueue', 'Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Condition', 'Event', 'Barrier', 'Value', 'Array']
const WORDS = [
  ...TYPEIDS,
  ...'bBhHiIlLqQfdcu'.split(''),
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'then', '__defineGetter__', 'valueOf',
  'block', 'timeoutMs', 'owner', 'lock', 'action', 'target', 'method', 'args', 'name', 'resume',
  'fuzz-name-0', 'fuzz-name-1', 'fuzz-name-2', '', '#GETVALUE', '#PING', '#ANSWER', '\0', 'é', '😀',
]
const NUMBERS = [0, -0, 1, -1, 0.5, -1.5, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, -(2 ** 53), 2 ** 64, 1e308, -1e308, Number.MIN_VALUE, NaN, Infinity, -Infinity]

function objectOf(entries: Array<[string, unknown]>): Record<string, unknown> {
  const o: Record<string, unknown> = {}
  // defineProperty: a '__proto__' key is an own property here, as the wire carries it
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
  return o
}

export function arbitraries(world: FuzzWorld) {
  const word = fc.constantFrom(...WORDS)
  const key = fc.oneof(word, fc.string({ maxLength: 8 }))
  const ownObject = fc.nat().map((i) => world.objects[i % Math.max(1, world.objects.length)] ?? { typeid: 'dict', id: 'none.0', exposed: ['get'] })
  const ownRef = ownObject.map((o) => new WireRef(o.typeid, o.id))
  const fakeRef = fc.tuple(fc.constantFrom(...TYPEIDS, 'nope'), fc.oneof(fc.string({ maxLength: 10 }), fc.constant('none.0'))).map(([t, i]) => new WireRef(t, i))
  const timeout = fc.constantFrom(0, 1, 5, -1, null, undefined, NaN, 2 ** 31, 2 ** 53, 1e100, 'soon')
  const options = fc.record(
    { block: fc.oneof(fc.boolean(), word), timeoutMs: timeout, owner: fc.oneof(word, fc.integer()), lock: fc.oneof(fc.boolean(), ownRef) },
    { requiredKeys: [] },
  )
  const leaf = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: -1000, max: 1000 }) },
    fc.constantFrom(...NUMBERS),
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
    { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
    { weight: 3, arbitrary: word },
    fc.boolean(),
    fc.constantFrom(null, undefined),
    fc.uint8Array({ maxLength: 16 }).map((u) => Buffer.from(u)),
    fc.constantFrom(new Date(0), new Date(8.64e15), new Date(-8.64e15)),
    fc.float64Array({ maxLength: 4 }),
    { weight: 3, arbitrary: ownRef },
    // rare: a reference to no object makes the whole request a #TRACEBACK
    fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, fakeRef),
    options,
  )
  const { value } = fc.letrec<{ value: unknown; array: unknown[]; object: Record<string, unknown>; map: Map<unknown, unknown>; set: Set<unknown> }>((tie) => ({
    value: fc.oneof({ depthSize: 'small', maxDepth: 4 }, { weight: 4, arbitrary: leaf }, tie('array'), tie('object'), tie('map'), tie('set')),
    array: fc.array(tie('value'), { maxLength: 5 }),
    object: fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map(objectOf),
    map: fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 3 }).map((e) => new Map(e)),
    set: fc.array(tie('value'), { maxLength: 3 }).map((a) => new Set(a)),
  }))
  const method = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...SERVER_METHODS) },
    { weight: 6, arbitrary: fc.nat().map((i) => [...world.methods][i % Math.max(1, world.methods.size)] ?? 'get') },
    word,
    fc.string({ maxLength: 10 }),
  )
  const target = fc.oneof(
    { weight: 3, arbitrary: fc.constant(null) },
    { weight: 6, arbitrary: ownRef.map((r) => r.id) },
    fakeRef.map((r) => r.id),
  )
  const args = fc.oneof(
    // create(typeid, ...) with a real typeid, and anything else
    fc.tuple(fc.constantFrom(...TYPEIDS), fc.array(value, { maxLength: 3 })).map(([t, a]) => [t, ...a]),
    fc.array(value, { maxLength: 4 }),
  )
  /** A request of the right shape: [target, method, args]; the reqId is given when sent. */
  const request = fc.oneof(
    // mostly an object's own exposed methods, so calls reach the types' code
    { weight: 6, arbitrary: fc.tuple(ownObject, fc.nat(), fc.array(value, { maxLength: 4 })).map(([o, i, a]) => [o.id, o.exposed[i % o.exposed.length] ?? '#GETVALUE', a] as const) },
    { weight: 2, arbitrary: fc.tuple(fc.constant(null), fc.constantFrom(...SERVER_METHODS), args) },
    { weight: 2, arbitrary: fc.tuple(target, method, args) },
  )
  const ext = fc.tuple(fc.integer({ min: -128, max: 127 }), fc.uint8Array({ maxLength: 20 })).map(([type, payload]) => {
    const sizes: Record<number, number> = { 1: 0xd4, 2: 0xd5, 4: 0xd6, 8: 0xd7, 16: 0xd8 }
    const fixed = sizes[payload.length]
    const header = fixed !== undefined ? [fixed, type & 0xff] : [0xc7, payload.length, type & 0xff]
    return Buffer.from([...header, ...payload])
  })
  const mutation = fc.tuple(fc.constantFrom('flip', 'insert', 'delete', 'truncate', 'duplicate'), fc.nat(), fc.integer({ min: 0, max: 255 }))
  const mutated = fc.tuple(request, fc.nat({ max: 0xfffff }), fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([[t, m, a], reqId, muts]) => {
    let bytes: Buffer = safeEncode([reqId, t, m, a])
    for (const [kind, at, byte] of muts) bytes = mutate(bytes, kind, at, byte)
    return bytes
  })

  const wild = fc.oneof(
    fc.uint8Array({ maxLength: 64 }).map((u) => Buffer.from(u)),
    value.map((v) => safeEncode(v)),
    fc.array(value, { maxLength: 6 }).map((v) => safeEncode(v)),
    fc.tuple(value, value, value, value).map((v) => safeEncode(v)),
    fc.array(fc.oneof(request.map(([t, m, a]) => [nextWildId(), t, m, a]), value), { minLength: 1, maxLength: 5 }).map((b) => safeEncode(b)),
    { weight: 2, arbitrary: fc.tuple(fc.nat({ max: 0xfffff }), target, method, fc.array(ext, { minLength: 1, maxLength: 3 })).map(([id, t, m, exts]) => withRawArgs(id, t, m, exts)) },
    { weight: 4, arbitrary: mutated },
    fc.tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom(0x91, 0x81)).map(([n, b]) => deep(n, b)),
    fc.constantFrom('text frame', '[1, null, "dummy", []]'),
    fc.constant(Buffer.alloc(MAX_FUZZ_FRAME + 1, 0x90)), // one byte over the daemon's limit: 1009
    fc.tuple(fc.constantFrom(Tag.ANSWER, Tag.WELCOME, Tag.CHALLENGE, Tag.GOAWAY, Tag.PONG, '#NOPE'), value).map((m) => safeEncode(m)),
  )
  return { value, request, wild }
}

let wildId = 0
const nextWildId = (): number => wildId++ % 0xfffff

/** Encode, or (for the few values the encoder refuses, e.g. invalid Dates) encode null. */
export function safeEncode(v: unknown): Buffer {
  try {
    return Buffer.from(enc.encode(v))
  } catch {
    return Buffer.from(enc.encode(null))
  }
}

function mutate(bytes: Buffer, kind: string, at: number, byte: number): Buffer {
  const i = bytes.length === 0 ? 0 : at % bytes.length
  switch (kind) {
    case 'flip': {
      const copy = Buffer.from(bytes)
      if (copy.length > 0) copy[i] = byte
      return copy
    }
    case 'insert':
      return Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i)])
    case 'delete':
      return Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)])
    case 'truncate':
      return bytes.subarray(0, i)
    default:
      return Buffer.concat([bytes.subarray(0, i), bytes.subarray(i, i + 1 + (byte % 8)), bytes.subarray(i)])
  }
}

/** `[reqId, target, method, [<raw bytes>…]]`: arguments spliced in as bytes. */
function withRawArgs(reqId: number, target: string | null, method: string, raw: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from([0x94]), safeEncode(reqId), safeEncode(target), safeEncode(method), Buffer.from([0x90 | raw.length]), ...raw])
}

function deep(n: number, header: number): Buffer {
  const level = header === 0x81 ? Buffer.from([0x81, 0xa1, 0x6b]) : Buffer.from([0x91])
  return withRawArgs(nextWildId(), null, 'dummy', [Buffer.concat([Buffer.alloc(n * level.length).fill(level), Buffer.from([0x01])])])
}
