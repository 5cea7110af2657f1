// The refcount lifecycle: create → count + 1 → release → baseline, through nesting, cascade,
// cycles, names and session ends.
import type { DictProxy, ListProxy } from '../client'
import { eventually, startHarness } from './helpers/harness'

describe('refcount lifecycle', () => {
  test('create and release', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const base = await m.numberOfObjects()
    const d = await m.dict()
    expect(await m.numberOfObjects()).toBe(base + 1)
    await d.$release()
    expect(await m.numberOfObjects()).toBe(base)
  })

  test('a proxy stored in a container stays a reference; reading it back gives a proxy', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const inner = await m.dict<string, number>()
    await inner.set('n', 1)
    const outer = await m.list<unknown>()
    await outer.append(inner)
    await outer.append([1, 2, 3]) // a plain array stays a plain array
    const back = (await outer.get(0)) as DictProxy<string, number>
    expect(back.$token.id).toBe(inner.$token.id)
    await back.set('n', 2)
    expect(await inner.get('n')).toBe(2)
    expect(await outer.get(1)).toEqual([1, 2, 3])
    await back.$release()
    await inner.$release()
    expect(await m.numberOfObjects()).toBe(2) // the list holds the dict
    await outer.$release()
    expect(await m.numberOfObjects()).toBe(0) // cascade
  })

  test('references nested in plain values inside containers are held too', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const a = await m.dict()
    const b = await m.list()
    const holder = await m.dict<string, unknown>()
    await holder.set('deep', { list: [a], map: new Map([['b', b]]) })
    await a.$release()
    await b.$release()
    expect(await m.numberOfObjects()).toBe(3)
    await holder.delete('deep')
    expect(await m.numberOfObjects()).toBe(1)
    await holder.$release()
  })

  test('overwriting and popping release what was held', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const holder = await m.dict<string, unknown>()
    const x = await m.dict()
    await holder.set('k', x)
    await x.$release()
    await holder.set('k', 'plain now')
    expect(await m.numberOfObjects()).toBe(1)
    const l = await m.list<unknown>()
    const y = await m.dict()
    await l.append(y)
    await y.$release()
    const popped = (await l.pop()) as DictProxy
    expect(await m.numberOfObjects()).toBe(3) // popped: the reply's proxy holds it
    await popped.$release()
    expect(await m.numberOfObjects()).toBe(2)
    await holder.$release()
    await l.$release()
  })

  test('self-containing structures neither hang nor leak', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const l = await m.list<unknown>()
    await l.append(l)
    await l.append(l)
    const copy = await l.$getValue() // [proxy, proxy]: references, not an infinite structure
    expect(copy).toHaveLength(2)
    for (const p of copy as ListProxy[]) await p.$release()
    const a = await m.dict<string, unknown>()
    const b = await m.dict<string, unknown>()
    await a.set('b', b)
    await b.set('a', a)
    await l.$release()
    await a.$release()
    await b.$release()
    expect(await m.numberOfObjects()).toBe(0)
  })

  test('a closed session frees what it held; another session keeps what it holds', async () => {
    await using h = await startHarness()
    const keeper = await h.client()
    const leaver = await h.client()
    const kept = await keeper.dict()
    const shared = await leaver.dict<string, number>()
    await shared.set('x', 1)
    await leaver.publish('shared', shared)
    // Held until the count is read: a collected proxy would decref its object early.
    const held = [await leaver.dict(), await leaver.list()]
    expect(await keeper.numberOfObjects()).toBe(4)
    expect(held.map((p) => p.$token.typeid)).toEqual(['dict', 'list'])
    await leaver.close()
    await eventually(async () => (await keeper.numberOfObjects()) === 2, 5000, 'the leaver to be released')
    const again = await keeper.lookup<DictProxy<string, number>>('shared')
    expect(await again.get('x')).toBe(1)
    await again.$release()
    await keeper.unpublish('shared')
    await kept.$release()
  })

  test('the same object through two proxies counts twice', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const d = await m.dict()
    await m.publish('d', d)
    const again = await m.lookup<DictProxy>('d')
    await m.unpublish('d')
    await d.$release()
    expect(await again.size()).toBe(0)
    await again.$release()
    expect(await m.numberOfObjects()).toBe(0)
  })

  test('a proxy passed as an argument to an unknown object is refused, not leaked', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const d = await m.dict()
    await d.$release()
    const l = await m.list()
    // A released proxy cannot even be sent.
    await expect(l.append(d)).rejects.toThrow(/released/)
    // A forged reference to a freed id is refused by the daemon.
    const raw = m.connection
    await expect(raw.call(l.$token.id, 'append', [Object.freeze({})])).resolves.toBeUndefined()
    await l.$release()
  })
})
