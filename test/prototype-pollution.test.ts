// Prototype pollution attempts through every container type, the server methods and the codec
// (our client's encoder, and plain msgpack maps from another encoder): the daemon runs in this
// process, so Object.prototype and the containers' own prototypes are checked directly, and the
// hostile data must come back as plain data. (Dict keys and Namespace names by themselves are
// covered in allow-lists.test.ts.)
import * as lite from 'msgpack-lite'
import { DispatchError, type Manager } from '../client'
import { startHarness, type Harness } from './helpers/harness'
import { bystander, proxyId, wireSession } from './helpers/wire'

const HOSTILE_JSON = '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}, "hasOwnProperty": "shadow", "toString": 1, "nested": {"__proto__": {"polluted": "yes"}}}'
const hostile = (): Record<string, unknown> => JSON.parse(HOSTILE_JSON) as Record<string, unknown>
const NAMES = ['__proto__', 'constructor', 'hasOwnProperty', 'prototype', 'toString', '__defineGetter__', 'valueOf']

/** Own property names and values of the prototypes that matter, to compare before and after. */
function snapshot(protos: object[]): Array<Array<[string, unknown]>> {
  return protos.map((p) => Reflect.ownKeys(p).map((k) => [String(k), Object.getOwnPropertyDescriptor(p, k)?.value ?? Object.getOwnPropertyDescriptor(p, k)?.get]))
}

/** Checks an object decoded from the daemon is the hostile one, as plain own data. */
function expectHostileData(v: unknown): void {
  const o = v as Record<string, unknown>
  expect(Object.getPrototypeOf(o)).toBe(Object.prototype)
  expect(Object.keys(o)).toEqual(['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'nested'])
  expect(Object.getOwnPropertyDescriptor(o, '__proto__')?.value).toEqual({ polluted: 'yes' })
  expect(o.constructor).toEqual({ prototype: { polluted: 'yes' } })
  expect(o.hasOwnProperty).toBe('shadow')
  expect(Object.getOwnPropertyDescriptor(o.nested as object, '__proto__')?.value).toEqual({ polluted: 'yes' })
}

function expectNoPollution(h: Harness, before: ReturnType<typeof snapshot>, protos: object[]): void {
  expect(snapshot(protos)).toEqual(before)
  for (const probe of [{}, [], new Map(), Object.create(null) as object]) expect((probe as Record<string, unknown>).polluted).toBeUndefined()
  expect(h.daemon.core.table.size).toBeGreaterThan(0)
}

async function containers(m: Manager) {
  return { dict: await m.dict(), list: await m.list(), ns: await m.namespace(), queue: await m.queue() }
}

describe('prototype pollution', () => {
  test('through every container, with values sent by the managerd client', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const c = await containers(m)
    const value = await m.value('i', 0)
    const array = await m.array('u', 4)
    const protos = [Object.prototype, Array.prototype, Map.prototype, Set.prototype, Function.prototype, ...[...h.daemon.core.table.entries()].map((e) => Object.getPrototypeOf(e.obj) as object)]
    const before = snapshot(protos)

    await c.dict.set(hostile() as never, hostile())
    await c.dict.update(hostile() as never)
    expect(await c.dict.get('__proto__')).toEqual({ polluted: 'yes' }) // the key, set by update()
    await c.dict.set('__proto__', hostile())
    await c.list.append(hostile())
    await c.list.extend([hostile(), [hostile()]])
    for (const name of NAMES) await c.ns.set(name, name)
    await c.ns.set('__proto__', hostile())
    await c.queue.put(hostile())
    await expect(value.set(hostile() as never)).rejects.toMatchObject({ code: 'MANAGERD_ERR_BAD_ARGUMENTS' })
    for (const [i, ch] of ['_', 'p', 'o', 't'].entries()) await array.set(i, ch as never)

    expectNoPollution(h, before, protos)
    expectHostileData(await c.dict.get(hostile() as never))
    expectHostileData(await c.dict.get('__proto__'))
    expect(await c.dict.get('hasOwnProperty')).toBe('shadow')
    expectHostileData(await c.list.get(0))
    expect(await c.list.index(hostile())).toBe(0)
    expect(await c.list.count(hostile())).toBe(2)
    expectHostileData(((await c.list.get(2)) as unknown[])[0])
    expectHostileData(await c.ns.get('__proto__'))
    expect(await c.ns.names()).toEqual(NAMES)
    expectHostileData(await c.queue.get())
    expect(await array.slice()).toBe('_pot')
    for (const p of [...Object.values(c), value, array]) await p.$release()
  })

  test('through plain msgpack maps from another encoder (msgpack-lite), on a raw socket', async () => {
    await using h = await startHarness()
    const b = await bystander(await h.client())
    const protos = [Object.prototype, Array.prototype, Map.prototype]
    const before = snapshot(protos)
    const sock = await wireSession(h.address)
    try {
      const dict = proxyId(await sock.call(null, 'create', ['dict']))
      const list = proxyId(await sock.call(null, 'create', ['list']))
      const ns = proxyId(await sock.call(null, 'create', ['Namespace', hostile()]))
      let reqId = 1
      const send = (target: string, method: string, args: unknown[]): number => {
        sock.sendRaw(lite.encode([reqId, target, method, args])) // a plain map: {"__proto__": …} as msgpack-lite writes it
        return reqId++
      }
      for (const [target, method, args] of [
        [dict, 'set', ['k', hostile()]],
        [dict, 'update', [hostile()]],
        [list, 'append', [[hostile(), { deeper: hostile() }]]],
        [ns, 'set', ['more', hostile()]],
      ] as Array<[string, string, unknown[]]>) {
        const id = send(target, method, args)
        expect(await sock.message()).toEqual([id, '#RETURN', undefined])
      }
      expectNoPollution(h, before, protos)
      // Back as data: the daemon sends objects with an own __proto__ key as extension 0x07.
      expectHostileData((await sock.call(dict, 'get', ['k']))[2])
      expect((await sock.call(dict, 'get', ['__proto__']))[2]).toEqual({ polluted: 'yes' })
      const item = (await sock.call(list, 'get', [0]))[2] as unknown[]
      expectHostileData(item[0])
      expectHostileData((item[1] as { deeper: unknown }).deeper)
      const nsValue = (await sock.call(ns, 'getValue', []))[2] as Record<string, unknown>
      expect(Object.getOwnPropertyDescriptor(nsValue, '__proto__')?.value).toEqual({ polluted: 'yes' })
      expectHostileData(nsValue.more)
    } finally {
      sock.ws.close(1000)
      await sock.closed
    }
    await b.check()
    await b.dict.$release()
  })

  test('__proto__ as a Map key, and inside Map and Set values', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const d = await m.dict<unknown, unknown>()
    const map = new Map<unknown, unknown>([['__proto__', hostile()], ['constructor', new Set([hostile()])]])
    await d.set('m', map)
    await d.set(map, 'a Map as a composite key')
    const back = (await d.get('m')) as Map<string, unknown>
    expect([...back.keys()]).toEqual(['__proto__', 'constructor'])
    expectHostileData(back.get('__proto__'))
    expectHostileData([...(back.get('constructor') as Set<unknown>)][0])
    expect(await d.get(map)).toBe('a Map as a composite key')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    await d.$release()
  })

  test.each(NAMES)('server methods take %s as a plain name', async (name) => {
    await using h = await startHarness()
    const m = await h.client()
    const d = await m.dict<string, number>()
    await d.set('x', 1)
    await m.publish(name, d)
    expect(h.daemon.core.names.get(name)?.typeid).toBe('dict')
    const found = await m.lookup<typeof d>(name)
    expect(await found.get('x')).toBe(1)
    expect(Object.keys((await m.debugInfo()).names)).toEqual([name])
    expect(await m.connection.call(null, 'unpublish', [name])).toBe(true)
    expect(await m.connection.call(null, 'unpublish', [name])).toBe(false)
    const created = await m.connection.call(null, 'create', [name]).catch((e: unknown) => e)
    expect(created).toBeInstanceOf(DispatchError)
    expect((created as DispatchError).remoteCode).toBe('MANAGERD_ERR_UNKNOWN_TYPE')
    const methods = await m.connection.call(null, 'getMethods', [name]).catch((e: unknown) => e)
    expect((methods as DispatchError).remoteCode).toBe('MANAGERD_ERR_UNKNOWN_OBJECT')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    await found.$release()
    await d.$release()
  })
})
