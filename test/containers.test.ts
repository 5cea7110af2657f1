// dict, list and Namespace: the methods DESIGN §4 lists, with Python's semantics and errors.
import type { DictProxy, ListProxy } from '../client'
import { startHarness } from './helpers/harness'

describe('dict', () => {
  test('methods', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const d = await m.dict<unknown, unknown>(new Map<unknown, unknown>([['a', 1], [2, 'two']]))
    expect(await d.size()).toBe(2)
    expect(await d.get('a')).toBe(1)
    expect(await d.get(2)).toBe('two')
    expect(await d.get('2')).toBeUndefined() // 2 and '2' are different keys
    expect(await d.get('missing', 'fallback')).toBe('fallback')
    expect(await d.has('a')).toBe(true)
    await d.set('b', [1, 2])
    expect(await d.keys()).toEqual(['a', 2, 'b'])
    expect(await d.values()).toEqual([1, 'two', [1, 2]])
    expect(await d.entries()).toEqual([['a', 1], [2, 'two'], ['b', [1, 2]]])
    expect(await d.setdefault('a', 99)).toBe(1)
    expect(await d.setdefault('c', 3)).toBe(3)
    expect(await d.pop('c')).toBe(3)
    expect(await d.pop('c', 'gone')).toBe('gone')
    await expect(d.pop('c')).rejects.toMatchObject({ remoteName: 'KeyError' })
    expect(await d.popitem()).toEqual(['b', [1, 2]]) // last inserted, as Python
    expect(await d.delete('a')).toBe(true)
    expect(await d.delete('a')).toBe(false)
    await d.update({ x: 1, y: 2 })
    await d.update([['z', 3]])
    await d.update(new Map([['w', 4]]))
    expect(await d.copy()).toEqual(new Map<unknown, unknown>([[2, 'two'], ['x', 1], ['y', 2], ['z', 3], ['w', 4]]))
    await d.clear()
    expect(await d.size()).toBe(0)
    await expect(d.popitem()).rejects.toMatchObject({ remoteName: 'KeyError' })
    await expect(d.update(5 as unknown as Record<string, unknown>)).rejects.toMatchObject({ remoteName: 'TypeError' })
    await d.$release()
  })

  test('composite keys compare by value, like tuples', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const d = await m.dict<unknown, string>()
    await d.set([1, 2], 'pair')
    await d.set({ a: 1 }, 'object')
    await d.set(new Date(0), 'epoch')
    await d.set('\0weird', 'a string starting with NUL')
    expect(await d.get([1, 2])).toBe('pair')
    expect(await d.get({ a: 1 })).toBe('object')
    expect(await d.get(new Date(0))).toBe('epoch')
    expect(await d.get('\0weird')).toBe('a string starting with NUL')
    expect(await d.keys()).toEqual([[1, 2], { a: 1 }, new Date(0), '\0weird'])
    await d.delete([1, 2])
    expect(await d.has([1, 2])).toBe(false)
    await d.$release()
  })

  test('values of every wire type come back as they went', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const d = await m.dict<string, unknown>()
    const values: Record<string, unknown> = {
      undef: undefined,
      nul: null,
      big: 2n ** 70n,
      small: -3n,
      date: new Date('2020-02-02T02:02:02.002Z'),
      map: new Map<unknown, unknown>([[1, new Set([1, 2])]]),
      buf: Buffer.from('bytes'),
      f64: new Float64Array([0.1, 0.2]),
      err: new RangeError('kept'),
      nested: { deep: [{ deeper: [1, { deepest: true }] }] },
    }
    for (const [k, v] of Object.entries(values)) await d.set(k, v)
    for (const [k, v] of Object.entries(values)) expect(await d.get(k)).toEqual(v)
    expect(await d.has('undef')).toBe(true)
    await d.$release()
  })

  test('iteration is batched: for await, iter, iterKeys, iterValues', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const d = await m.dict<number, number>()
    await Promise.all(Array.from({ length: 1000 }, (_, i) => d.set(i, -i)))
    const framesBefore = h.daemon.stats.framesIn
    const seen: Array<[number, number]> = []
    for await (const entry of d) seen.push(entry)
    expect(seen).toHaveLength(1000)
    expect(seen[999]).toEqual([999, -999])
    expect(h.daemon.stats.framesIn - framesBefore).toBeLessThan(20) // 1000 items, a handful of round trips
    const keys = await d.iterKeys()
    expect(await keys.next(3)).toEqual({ values: [0, 1, 2], done: false })
    await keys.$release()
    const values = await d.iterValues()
    const batch = await values.next(5000)
    expect(batch.values).toHaveLength(1000)
    expect(batch.done).toBe(true)
    await values.$release()
    await expect((await d.iter()).next(0)).rejects.toMatchObject({ remoteName: 'TypeError' })
    expect(await m.numberOfObjects()).toBe(2) // d, and the iterator the failed call left in our hands
    await d.$release()
  })

  test('breaking out of for await releases the iterator', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const d = await m.dict<number, number>(Array.from({ length: 600 }, (_, i) => [i, i] as [number, number]))
    for await (const [k] of d) if (k === 10) break
    expect(await m.numberOfObjects()).toBe(1)
    await d.$release()
  })
})

describe('list', () => {
  test('methods, with Python indices and errors', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const l = await m.list<number>([3, 1, 2])
    expect(await l.length()).toBe(3)
    expect(await l.get(0)).toBe(3)
    expect(await l.get(-1)).toBe(2)
    await expect(l.get(3)).rejects.toMatchObject({ remoteName: 'IndexError' })
    await expect(l.get(-4)).rejects.toMatchObject({ remoteName: 'IndexError' })
    await expect(l.get(1.5)).rejects.toMatchObject({ remoteName: 'TypeError' })
    await l.set(-1, 20)
    expect(await l.copy()).toEqual([3, 1, 20])
    await l.append(5)
    await l.extend([6, 7])
    await l.insert(0, 0)
    await l.insert(-1, 66)
    await l.insert(100, 100)
    expect(await l.copy()).toEqual([0, 3, 1, 20, 5, 6, 66, 7, 100])
    expect(await l.slice(1, 3)).toEqual([3, 1])
    expect(await l.slice(-2)).toEqual([7, 100])
    expect(await l.slice(null, 2)).toEqual([0, 3])
    expect(await l.pop()).toBe(100)
    expect(await l.pop(0)).toBe(0)
    expect(await l.index(20)).toBe(2)
    await expect(l.index(999)).rejects.toMatchObject({ remoteName: 'ValueError' })
    expect(await l.count(5)).toBe(1)
    expect(await l.includes(66)).toBe(true)
    await l.remove(66)
    await expect(l.remove(66)).rejects.toMatchObject({ remoteName: 'ValueError' })
    await l.sort()
    expect(await l.copy()).toEqual([1, 3, 5, 6, 7, 20])
    await l.sort({ reverse: true })
    expect(await l.copy()).toEqual([20, 7, 6, 5, 3, 1])
    await l.reverse()
    expect(await l.$getValue()).toEqual([1, 3, 5, 6, 7, 20])
    await l.clear()
    await expect(l.pop()).rejects.toMatchObject({ remoteName: 'IndexError', message: 'pop from empty list' })
    await l.$release()
  })

  test('value equality for index/count/remove; sort refuses mixed types and changes nothing', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const l = await m.list<unknown>([[1, 2], { a: 1 }, 'x', 1])
    expect(await l.index([1, 2])).toBe(0)
    expect(await l.count({ a: 1 })).toBe(1)
    expect(await l.includes(1n)).toBe(true) // 1 == 1n, as Python's 1 == 1.0
    await expect(l.sort()).rejects.toMatchObject({ remoteName: 'TypeError' })
    expect(await l.copy()).toEqual([[1, 2], { a: 1 }, 'x', 1])
    await l.$release()
  })

  test('iteration', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const l = await m.list<string>(['a', 'b', 'c'])
    const out: string[] = []
    for await (const x of l) out.push(x)
    expect(out).toEqual(['a', 'b', 'c'])
    await l.$release()
  })

  test('a list holding proxies hands out proxies, and its copy is a copy', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const inner = await m.dict<string, number>()
    const l = await m.list<unknown>([inner, { wrapped: inner }])
    const [p, obj] = (await l.copy()) as [DictProxy<string, number>, { wrapped: DictProxy<string, number> }]
    await p.set('via', 1)
    expect(await obj.wrapped.get('via')).toBe(1)
    await p.$release()
    await obj.wrapped.$release()
    await inner.$release()
    await l.$release()
  })
})

describe('Namespace', () => {
  test('attributes', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const ns = await m.namespace<{ ready: boolean; count: number }>({ ready: false })
    expect(await ns.get('ready')).toBe(false)
    await ns.set('count', 3)
    expect(await ns.has('count')).toBe(true)
    expect(await ns.names()).toEqual(['ready', 'count'])
    expect(await ns.getValue()).toEqual({ ready: false, count: 3 })
    await ns.delete('count')
    await expect(ns.get('count')).rejects.toMatchObject({ remoteName: 'AttributeError' })
    expect(await ns.get('count', 0)).toBe(0)
    await expect(ns.delete('count')).rejects.toMatchObject({ remoteName: 'AttributeError' })
    await expect(ns.set(5 as unknown as 'count', 1)).rejects.toMatchObject({ remoteName: 'TypeError' })
    await ns.$release()
  })

  test('namespaces hold proxies as well', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const ns = await m.namespace()
    const l = await m.list<number>([1])
    await ns.set('items', l)
    await l.$release()
    const back = (await ns.get('items')) as ListProxy<number>
    expect(await back.get(0)).toBe(1)
    await back.$release()
    await ns.$release()
  })
})
