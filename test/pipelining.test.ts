// Many calls in flight on one connection, each with its own correct result.
import { startHarness } from './helpers/harness'

describe('pipelining', () => {
  test('1000 pipelined calls resolve, each with its own result', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const d = await m.dict<number, number>()
    await Promise.all(Array.from({ length: 1000 }, (_, i) => d.set(i, i * i)))
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => d.get(i)))
    expect(results).toEqual(Array.from({ length: 1000 }, (_, i) => i * i))
    // they went out batched: far fewer frames than calls
    expect(h.daemon.stats.framesIn).toBeLessThan(100)
    await d.$release()
  })

  test('errors and results interleave without mixing up', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const l = await m.list<number>([1, 2, 3])
    const outcomes = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => l.get(i % 6)))
    outcomes.forEach((o, i) => {
      if (i % 6 < 3) expect(o).toEqual({ status: 'fulfilled', value: (i % 6) + 1 })
      else expect(o).toMatchObject({ status: 'rejected', reason: { remoteName: 'IndexError' } })
    })
    await l.$release()
  })

  test('two sessions pipelining at once do not see each other\'s replies', async () => {
    await using h = await startHarness()
    const [a, b] = [await h.client(), await h.client()]
    const da = await a.dict<string, string>()
    const db = await b.dict<string, string>()
    await Promise.all([
      ...Array.from({ length: 300 }, (_, i) => da.set(`k${i}`, `a${i}`)),
      ...Array.from({ length: 300 }, (_, i) => db.set(`k${i}`, `b${i}`)),
    ])
    const [ra, rb] = await Promise.all([
      Promise.all(Array.from({ length: 300 }, (_, i) => da.get(`k${i}`))),
      Promise.all(Array.from({ length: 300 }, (_, i) => db.get(`k${i}`))),
    ])
    expect(ra).toEqual(Array.from({ length: 300 }, (_, i) => `a${i}`))
    expect(rb).toEqual(Array.from({ length: 300 }, (_, i) => `b${i}`))
    await da.$release()
    await db.$release()
  })
})
