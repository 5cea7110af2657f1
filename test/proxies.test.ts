// The client's proxies: controls, release, timeouts, and the FinalizationRegistry backstop.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { CallTimeoutError, ProxyReleasedError, UnserializableError, type ListProxy, type Remote } from '../client'
import { TEST_KEY, eventually, startHarness } from './helpers/harness'

const types = [join(__dirname, 'fixtures/counter-types.js')]
interface Counter {
  value(): number
  later(ms: number): Promise<number>
}
interface Store {
  slowChild(ms: number): Promise<Counter>
}

describe('proxies', () => {
  test('controls: $token, $typeid, $call, $getValue, inspect', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const d = await m.dict<string, number>({ a: 1 })
    expect(d.$token).toEqual({ typeid: 'dict', address: h.address, id: expect.stringMatching(/\./) })
    expect(d.$typeid).toBe('dict')
    expect(await d.$call('get', 'a')).toBe(1)
    expect(await d.$getValue()).toEqual(new Map([['a', 1]]))
    expect(inspect(d)).toBe(`Proxy<dict> { id: '${d.$token.id}' }`)
    await d.$release()
    expect(inspect(d)).toContain('released')
  })

  test('a type first met inside a value gets its methods from one getMethods per typeid', async () => {
    await using h = await startHarness({ types })
    const a = await h.client()
    const counters = await a.list<Remote<Counter>>()
    for (let i = 0; i < 5; i++) {
      const c = await a.create<Counter>('Counter', i)
      await counters.append(c)
      await c.$release()
    }
    await a.publish('counters', counters)
    const b = await h.client() // a new connection: it has never seen a Counter
    const seen = await b.lookup<ListProxy<Remote<Counter>>>('counters')
    const serverCalls = (): number => h.daemon.core.dispatcher.counts.server
    const before = serverCalls()
    const items = await seen.slice()
    expect(serverCalls() - before).toBe(1) // getMethods, once for five Counters
    expect(await Promise.all(items.map((c) => c.value()))).toEqual([0, 1, 2, 3, 4])
    expect(typeof (items[0] as unknown as Record<string, unknown>).increment).toBe('function')
    const again = await seen.get(4)
    expect(await again.value()).toBe(4)
    expect(serverCalls() - before).toBe(1) // cached for the typeid: no second getMethods
    for (const p of [...items, again, seen, counters]) await p.$release()
    await a.unpublish('counters')
  })

  test('a released proxy rejects every call with ProxyReleasedError; release is idempotent', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const d = await m.dict()
    await d.$release()
    await d.$release()
    await expect(d.size()).rejects.toBeInstanceOf(ProxyReleasedError)
    await expect(d.$getValue()).rejects.toMatchObject({ code: 'MANAGERD_ERR_PROXY_RELEASED' })
    expect(await m.numberOfObjects()).toBe(0)
  })

  test('await using releases at the end of the block', async () => {
    await using h = await startHarness()
    const m = await h.client()
    {
      await using d = await m.dict()
      await d.set('x', 1)
      expect(await m.numberOfObjects()).toBe(1)
    }
    expect(await m.numberOfObjects()).toBe(0)
  })

  test('a proxy cannot be sent to another daemon', async () => {
    await using h1 = await startHarness()
    await using h2 = await startHarness()
    const a = await h1.client()
    const b = await h2.client()
    const da = await a.dict()
    const lb = await b.list()
    await expect(lb.append(da)).rejects.toBeInstanceOf(UnserializableError)
    await expect(b.publish('x', da)).rejects.toThrow(/another manager/)
    await da.$release()
    await lb.$release()
  })

  test('per-call timeouts: $withTimeout and callTimeoutMs', async () => {
    await using h = await startHarness({ types })
    const m = await h.client()
    const c = await m.create<Counter>('Counter', 3)
    const impatient = c.$withTimeout(20)
    await expect(impatient.later(500)).rejects.toBeInstanceOf(CallTimeoutError)
    expect(await c.later(1)).toBe(3) // the original has no timeout
    const m2 = await h.client({ callTimeoutMs: 20 })
    const c2 = await m2.lookup<Remote<Counter>>('nothing').catch(() => undefined)
    expect(c2).toBeUndefined()
    const viaM2 = await m2.create<Counter>('Counter', 1)
    await expect(viaM2.later(500)).rejects.toMatchObject({ code: 'MANAGERD_ERR_CALL_TIMEOUT' })
    await viaM2.$release()
    await c.$release()
  })

  test('a proxy in the reply to a timed-out call is given back, not leaked', async () => {
    await using h = await startHarness({ types })
    const m = await h.client()
    const store = await m.create<Store>('Store')
    await expect(store.$withTimeout(20).slowChild(300)).rejects.toBeInstanceOf(CallTimeoutError)
    await eventually(async () => (await m.numberOfObjects()) === 1, 5000, 'the late child to be released')
    await store.$release()
  })

  test('a forgotten proxy is released by the FinalizationRegistry backstop', async () => {
    await using h = await startHarness()
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--expose-gc', join(__dirname, 'fixtures/gc-client.js')], {
        env: { ...process.env, MANAGERD_URL: h.address, MANAGERD_AUTHKEY: TEST_KEY },
      })
      let stdout = ''
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
      child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`exit ${code}`))))
    })
    expect(JSON.parse(out)).toEqual({ before: 0, during: 20, after: 0 })
  })
})
