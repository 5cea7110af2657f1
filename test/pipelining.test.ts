// Many calls in flight on one connection, each with its own correct result.
import { startHarness } from './helpers/harness'
import { enc, proxyId, wireSession } from './helpers/wire'

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

describe('reply frames', () => {
  test("a frame's immediate replies go back as one frame; a parked call's reply follows when it settles", async () => {
    await using h = await startHarness()
    const sock = await wireSession(h.address)
    const queue = proxyId(await sock.call(null, 'create', ['Queue']))
    const dict = proxyId(await sock.call(null, 'create', ['dict']))
    const before = sock.frameSizes.length
    // 50 immediate calls around one that parks (get on an empty queue)
    const batch = [
      ...Array.from({ length: 25 }, (_, i) => [i, dict, 'set', [i, i]]),
      [100, queue, 'get', []],
      ...Array.from({ length: 25 }, (_, i) => [200 + i, dict, 'get', [i]]),
    ]
    sock.sendRaw(enc.encode(batch))
    const replies: unknown[][] = []
    for (let i = 0; i < 50; i++) replies.push(await sock.message())
    expect(sock.frameSizes.slice(before)).toEqual([50])
    expect(replies.map((r) => r[0])).toEqual([...Array.from({ length: 25 }, (_, i) => i), ...Array.from({ length: 25 }, (_, i) => 200 + i)])
    expect(replies.slice(25).map((r) => r[2])).toEqual(Array.from({ length: 25 }, (_, i) => i))
    // the put's #RETURN and the parked get's #RETURN are both answers to this later frame's work
    sock.sendRaw(enc.encode([300, queue, 'put', ['x']]))
    const late = [await sock.message(), await sock.message()]
    expect(late).toEqual(expect.arrayContaining([[100, '#RETURN', 'x'], [300, '#RETURN', undefined]]))
    sock.ws.close(1000)
    await sock.closed
  })
})
