// Two allow-lists decide what runs: server methods and each object's exposed set. Prototype
// names are never callable, and are plain data as dict keys and Namespace names.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { WebSocketServer } from 'ws'
import { connect, DispatchError, NotExposedError } from '../client'
import { Decoder, Encoder, SUBPROTOCOL, Tag, newNonce, serverProof } from '../protocol'
import { TEST_KEY, startHarness } from './helpers/harness'

const types = [join(__dirname, 'fixtures/counter-types.js')]
const HOSTILE = ['__proto__', 'constructor', 'then', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__', 'valueOf']

describe('allow-lists', () => {
  test.each(HOSTILE)('%s is never callable on an object', async (name) => {
    await using h = await startHarness({ types })
    const m = await h.client()
    const c = await m.create('Counter')
    const err = await m.connection.call(c.$token.id, name, []).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DispatchError)
    expect((err as DispatchError).remoteCode).toBe('MANAGERD_ERR_NOT_EXPOSED')
    await c.$release()
  })

  test('then is not a proxy member, so awaiting a proxy is safe', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const d = await m.dict()
    expect((d as unknown as { then?: unknown }).then).toBeUndefined()
    const same = await d
    expect(same).toBe(d)
    await d.$release()
  })

  test('then stays local even when a daemon lists it as exposed', async () => {
    // A daemon that knows the key but lists 'then' (and control names) as methods of an object.
    const enc = new Encoder()
    const dec = new Decoder()
    const methodsCalled: string[] = []
    const http = createServer()
    const wss = new WebSocketServer({ server: http, handleProtocols: () => SUBPROTOCOL })
    wss.on('connection', (ws) => {
      ws.send(enc.encode([Tag.CHALLENGE, 'sha256', newNonce()]))
      ws.on('message', (data: Buffer) => {
        const frame = dec.decode(data) as unknown[]
        if (frame[0] === Tag.ANSWER) {
          const info = { sessionId: 's-x', resumeToken: 'r', resumed: false, address: 'ws://x', version: 1, bootId: 'b', lastReqId: 0 }
          ws.send(enc.encode([Tag.WELCOME, serverProof(TEST_KEY, frame[2] as Uint8Array), { ...info, limits: { maxFrameBytes: 1 << 20, maxInFlight: 100, heartbeatMs: 0, sessionGraceMs: 0 } }]))
          return
        }
        for (const [reqId, , method] of (Array.isArray(frame[0]) ? frame : [frame]) as Array<[number, string | null, string]>) {
          methodsCalled.push(method)
          const exposed = ['get', 'then', '$release', 'constructor']
          const reply = method === 'create' ? [reqId, '#PROXY', { token: { typeid: 'odd', address: 'ws://x', id: 'b.1' }, exposed }] : [reqId, '#RETURN', `called ${method}`]
          ws.send(enc.encode(reply))
        }
      })
    })
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r))
    const { port } = http.address() as AddressInfo
    const m = await connect(`ws://127.0.0.1:${port}`, { authkey: TEST_KEY, reconnect: false })
    try {
      const odd = await m.create<{ get(): string }>('odd')
      expect((odd as unknown as { then?: unknown }).then).toBeUndefined()
      expect(await odd).toBe(odd) // awaiting it does not call anything
      await expect(odd.$call('then')).rejects.toBeInstanceOf(NotExposedError)
      expect(await odd.get()).toBe('called get')
      expect(methodsCalled).toEqual(['create', 'get'])
    } finally {
      await m.close().catch(() => {})
      wss.close()
      http.close()
    }
  })

  test('proxies cannot be changed locally', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const d = await m.dict()
    expect(() => {
      ;(d as unknown as Record<string, unknown>).set = () => 1
    }).toThrow(TypeError)
    expect(() => {
      ;(d as unknown as Record<string, unknown>).extra = 1
    }).toThrow(TypeError)
    expect(() => Object.defineProperty(d, 'get', { value: 1 })).toThrow(TypeError)
    delete (d as unknown as Record<string, unknown>).$token
    expect(d.$token.typeid).toBe('dict')
    await d.$release()
  })

  test('prototype names are plain data as dict keys', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const d = await m.dict<string, number>()
    for (const [i, k] of HOSTILE.entries()) await d.set(k, i)
    for (const [i, k] of HOSTILE.entries()) expect(await d.get(k)).toBe(i)
    expect(await d.keys()).toEqual(HOSTILE)
    expect(await d.size()).toBe(HOSTILE.length)
    const copy = await d.$getValue()
    expect(copy.get('__proto__')).toBe(0)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    await d.update(JSON.parse('{"__proto__": {"polluted": 1}}') as Record<string, number>)
    expect(await d.get('__proto__')).toEqual({ polluted: 1 })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    await d.$release()
  })

  test('prototype names are plain data as Namespace names', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const ns = await m.namespace()
    for (const k of HOSTILE) await ns.set(k, `v-${k}`)
    for (const k of HOSTILE) expect(await ns.get(k)).toBe(`v-${k}`)
    const value = await ns.getValue()
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toBe('v-__proto__')
    expect(value.constructor).toBe('v-constructor')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    await ns.$release()
  })

  test('a Namespace made from an object with a __proto__ key keeps it as data', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const ns = await m.namespace(JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, unknown>)
    expect(await ns.names()).toEqual(['__proto__', 'ok'])
    expect(await ns.get('__proto__')).toEqual({ polluted: true })
    await ns.$release()
  })
})
