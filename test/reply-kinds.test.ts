// Every reply kind, produced by a real daemon and rebuilt by the client.
import { join } from 'node:path'
import {
  DispatchError,
  NotExposedError,
  RemoteError,
  UnserializableError,
  type Remote,
} from '../client'
import { startHarness } from './helpers/harness'

const types = [join(__dirname, 'fixtures/counter-types.js')]

interface Counter {
  increment(by?: number): number
  value(): number
  fail(message: string): never
  later(ms: number): Promise<number>
  leak(): unknown
  fn(): unknown
}
interface Store {
  child(): Counter
}

describe('reply kinds', () => {
  test('#RETURN: a method result, sync or async', async () => {
    await using h = await startHarness({ types })
    const m = await h.client()
    const c = await m.create<Counter>('Counter', 5)
    expect(await c.increment()).toBe(6)
    expect(await c.increment(4)).toBe(10)
    expect(await c.later(5)).toBe(10)
    expect(await c.value()).toBe(10)
    await c.$release()
  })

  test('#PROXY: create, and a methodToTypeid result', async () => {
    await using h = await startHarness({ types })
    const m = await h.client()
    const store = await m.create<Store>('Store')
    const child = (await store.child()) as unknown as Remote<Counter>
    expect(child.$typeid).toBe('Counter')
    expect(await child.increment()).toBe(43)
    expect(await m.numberOfObjects()).toBe(2)
    await store.$release()
    expect(await child.value()).toBe(43) // its own reference keeps it
    await child.$release()
  })

  test('#PROXY from an async create', async () => {
    await using h = await startHarness({ types })
    const m = await h.client()
    const c = await m.create<Counter>('SlowCounter', 7)
    expect(await c.value()).toBe(7)
    await c.$release()
  })

  test('#ERROR: the remote error keeps its name, message, code and data', async () => {
    await using h = await startHarness({ types, errorStacks: true })
    const m = await h.client()
    const c = await m.create<Counter>('Counter', 1)
    const err = await c.fail('too far').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RemoteError)
    expect(err).toMatchObject({
      code: 'MANAGERD_ERR_REMOTE',
      remoteName: 'RangeError',
      remoteCode: 'E_COUNTER',
      message: 'too far',
      data: { n: 1 },
    })
    expect((err as RemoteError).remoteStack).toContain('counter-types.js')
    await c.$release()
  })

  test('#ERROR: stacks stay on the daemon unless --error-stacks', async () => {
    await using h = await startHarness({ types })
    const m = await h.client()
    const c = await m.create<Counter>('Counter', 1)
    const err = (await c.fail('x').catch((e: unknown) => e)) as RemoteError
    expect(err.remoteStack).toBeUndefined()
    await c.$release()
  })

  test('#ERROR: a throwing create', async () => {
    await using h = await startHarness({ types })
    const m = await h.client()
    const err = await m.create('Counter', 'not a number').catch((e: unknown) => e)
    expect(err).toMatchObject({ remoteName: 'TypeError', message: 'start must be a number' })
    expect(await m.numberOfObjects()).toBe(0)
  })

  test('#TRACEBACK: unknown object, unexposed method', async () => {
    await using h = await startHarness({ types })
    const m = await h.client()
    const c = await m.create<Counter>('Counter')
    const raw = m.connection
    await expect(raw.call('nope.1', 'value', [])).rejects.toMatchObject({ remoteCode: 'MANAGERD_ERR_UNKNOWN_OBJECT' })
    const err = await raw.call(c.$token.id, '_secret', []).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DispatchError)
    expect(err).toMatchObject({ remoteCode: 'MANAGERD_ERR_NOT_EXPOSED', remoteName: 'NotExposedError' })
    await c.$release()
  })

  test('#TRACEBACK: more parked calls than maxInFlight; the connection stays', async () => {
    await using h = await startHarness({ types, maxInFlight: 3 })
    const m = await h.client()
    const c = await m.create<Counter>('Counter', 1)
    const parked = [c.later(300), c.later(300), c.later(300)]
    const err = await c.later(1).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DispatchError)
    expect((err as DispatchError).remoteCode).toBe('MANAGERD_ERR_TOO_MANY_IN_FLIGHT')
    expect(await Promise.all(parked)).toEqual([1, 1, 1])
    expect(await c.later(1)).toBe(1) // room again
    await c.$release()
  })

  test('#UNSERIALIZABLE: a result that cannot be encoded; its side effects stand', async () => {
    await using h = await startHarness({ types })
    const m = await h.client()
    const c = await m.create<Counter>('Counter')
    const err = await c.leak().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UnserializableError)
    expect((err as Error).message).toMatch(/instance of Counter/)
    await expect(c.fn()).rejects.toThrow(/function/)
    expect(await c.increment()).toBe(1) // the session is fine
    await c.$release()
  })

  test('unexposed names fail locally, before the wire', async () => {
    await using h = await startHarness({ types })
    const m = await h.client()
    const c = await m.create<Counter>('Counter')
    const framesBefore = h.daemon.stats.framesIn
    expect((c as unknown as Record<string, unknown>)._secret).toBeUndefined()
    await expect(c.$call('_secret')).rejects.toBeInstanceOf(NotExposedError)
    expect(h.daemon.stats.framesIn).toBe(framesBefore)
    await c.$release()
  })
})
