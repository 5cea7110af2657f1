// Queue and JoinableQueue across separate client connections (separate sessions): parked gets
// and puts, timeouts, FIFO order, proxies as items, freed queues and departed callers.
import {
  BadArgumentsError,
  ObjectFreedError,
  QueueEmpty,
  QueueFull,
  RemoteError,
  type DictProxy,
  type JoinableQueueProxy,
  type Manager,
  type QueueProxy,
} from '../client'
import { eventually, startHarness, type Harness } from './helpers/harness'
import { rejectionOf, track } from './helpers/tracking'

async function shared<P>(h: Harness, owner: Manager, proxy: P & { $token: { id: string } }, others: number): Promise<[Manager[], P[]]> {
  const name = `q-${proxy.$token.id}`
  await owner.publish(name, proxy as never)
  const clients: Manager[] = []
  const proxies: P[] = []
  for (let i = 0; i < others; i++) {
    const c = await h.client({ name: `client-${i}` })
    clients.push(c)
    proxies.push(await c.lookup<P>(name))
  }
  await owner.unpublish(name)
  return [clients, proxies]
}

describe('Queue', () => {
  test('a blocked get is served by a put from another connection', async () => {
    await using h = await startHarness()
    const a = await h.client({ name: 'consumer' })
    const q = await a.queue<string>()
    const [, [qb]] = await shared(h, a, q, 1)
    const got = track(q.get())
    await a.ping()
    expect(got.settled).toBe(false)
    expect((await a.debugInfo()).sessions.find((s) => s.id === a.sessionId)?.parkedCalls).toBe(1)
    await qb!.put('hello')
    expect(await got.promise).toBe('hello')
    expect(await q.qsize()).toBe(0)
  })

  test('a blocked put on a full queue is served by a get from another connection', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const q = await a.queue<number>(1)
    const [, [qb]] = await shared(h, a, q, 1)
    await q.put(1)
    expect(await q.full()).toBe(true)
    const put = track(q.put(2))
    await a.ping()
    expect(put.settled).toBe(false)
    expect(await qb!.get()).toBe(1)
    await put.promise
    expect(await qb!.get()).toBe(2)
    expect(await q.empty()).toBe(true)
  })

  test('qsize goes 0, 1, 2, 1, 0', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const q = await a.queue<number>()
    const [, [qb]] = await shared(h, a, q, 1)
    const sizes = [await q.qsize()]
    await q.put(1)
    sizes.push(await qb!.qsize())
    await qb!.put(2)
    sizes.push(await q.qsize())
    await q.get()
    sizes.push(await qb!.qsize())
    await qb!.get()
    sizes.push(await q.qsize())
    expect(sizes).toEqual([0, 1, 2, 1, 0])
  })

  test('FIFO order holds across sessions, for items and for parked getters', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const q = await a.queue<string>()
    const [, [qb, qc]] = await shared(h, a, q, 2)
    for (let i = 0; i < 5; i++) {
      await q.put(`a${i}`)
      await qb!.put(`b${i}`)
      await qc!.put(`c${i}`)
    }
    const order: string[] = []
    for (let i = 0; i < 15; i++) order.push(await [q, qb!, qc!][i % 3]!.get())
    expect(order).toEqual([0, 1, 2, 3, 4].flatMap((i) => [`a${i}`, `b${i}`, `c${i}`]))
    // Parked getters are served in the order they parked.
    const first = track(qb!.get())
    await qb!.qsize() // the two gets arrive in separate frames, in this order
    const second = track(qc!.get())
    await qc!.qsize()
    await q.put('x')
    await q.put('y')
    expect(await first.promise).toBe('x')
    expect(await second.promise).toBe('y')
  })

  test('put and get with timeouts reject with QueueFull / QueueEmpty after about the timeout', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const q = await a.queue<number>(1)
    let t0 = Date.now()
    const empty = await rejectionOf(q.get({ timeoutMs: 150 }))
    const waitedGet = Date.now() - t0
    expect(empty).toBeInstanceOf(QueueEmpty)
    expect(empty.code).toBe('MANAGERD_ERR_QUEUE_EMPTY')
    await q.put(1)
    t0 = Date.now()
    const full = await rejectionOf(q.put(2, true, 150))
    const waitedPut = Date.now() - t0
    expect(full).toBeInstanceOf(QueueFull)
    expect(full.code).toBe('MANAGERD_ERR_QUEUE_FULL')
    // Generous bounds: never before the timeout (less timer granularity), and not forever.
    for (const waited of [waitedGet, waitedPut]) {
      expect(waited).toBeGreaterThanOrEqual(140)
      expect(waited).toBeLessThan(10_000)
    }
    // The timed-out put left nothing behind.
    expect(await q.qsize()).toBe(1)
  })

  test('timeout 0, block false and the Nowait methods try once', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const q = await a.queue<number>(1)
    expect(await rejectionOf(q.get({ timeoutMs: 0 }))).toBeInstanceOf(QueueEmpty)
    expect(await rejectionOf(q.get(false))).toBeInstanceOf(QueueEmpty)
    expect(await rejectionOf(q.getNowait())).toBeInstanceOf(QueueEmpty)
    await q.putNowait(1)
    expect(await rejectionOf(q.putNowait(2))).toBeInstanceOf(QueueFull)
    expect(await rejectionOf(q.put(2, { block: false }))).toBeInstanceOf(QueueFull)
    expect(await rejectionOf(q.put(2, { timeoutMs: 0 }))).toBeInstanceOf(QueueFull)
    expect(await q.getNowait()).toBe(1)
  })

  test('proxies travel as items, also to a parked get after the putter released its own proxy', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const b = await h.client()
    const q = await a.queue<DictProxy<string, number>>()
    await a.publish('q', q)
    const qb = await b.lookup<QueueProxy<DictProxy<string, number>>>('q')
    await a.unpublish('q')
    // Stored in the queue: the queue holds the dict after the putter lets go.
    const d1 = await b.dict<string, number>([['n', 1]])
    await qb.put(d1)
    await d1.$release()
    const got1 = await q.get()
    expect(await got1.get('n')).toBe(1)
    // Handed straight to a parked get, with the release in the same frame as the put.
    const parked = q.get()
    await a.ping()
    const d2 = await b.dict<string, number>([['n', 2]])
    const put = qb.put(d2)
    void d2.$release()
    await put
    const got2 = await parked
    expect(await got2.get('n')).toBe(2)
    for (const p of [got1, got2, q, qb]) await p.$release()
    await eventually(async () => (await a.numberOfObjects()) === 0, 5000, 'everything freed')
  })

  test('a get parked on a queue that is freed rejects with ObjectFreedError', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const q = await a.queue<number>()
    const parked = q.get()
    await a.ping()
    await q.$release()
    const err = await rejectionOf(parked)
    expect(err).toBeInstanceOf(ObjectFreedError)
    expect(err.code).toBe('MANAGERD_ERR_OBJECT_FREED')
  })

  test("a parked get whose session ends is dropped silently: the next item goes to someone else", async () => {
    await using h = await startHarness()
    const a = await h.client()
    const b = await h.client()
    const q = await a.queue<number>()
    await a.publish('q', q)
    const qb = await b.lookup<QueueProxy<number>>('q')
    const gone = track(qb.get())
    await b.ping()
    await b.close()
    await eventually(() => h.daemon.core.sessions.size === 1, 5000, 'the session to end')
    await q.put(7)
    expect(await q.get({ timeoutMs: 5000 })).toBe(7)
    expect(gone.error).toBeDefined() // the closed manager rejected it locally
    await a.unpublish('q')
  })

  test.each([
    ['Queue(maxsize) that is not an integer', (m: Manager) => m.create('Queue', 'ten'), BadArgumentsError, 'MANAGERD_ERR_BAD_ARGUMENTS'],
    ['an unknown option (timeout for timeoutMs)', async (m: Manager) => (await m.queue()).get({ timeout: 5 } as never), BadArgumentsError, 'MANAGERD_ERR_BAD_ARGUMENTS'],
    ['block that is not a boolean', async (m: Manager) => (await m.queue()).get('yes' as never), BadArgumentsError, 'MANAGERD_ERR_BAD_ARGUMENTS'],
    ['a negative timeout', async (m: Manager) => (await m.queue()).get({ timeoutMs: -1 }), BadArgumentsError, 'MANAGERD_ERR_BAD_ARGUMENTS'],
    ['a timeout with block false', async (m: Manager) => (await m.queue()).get(false, 100), BadArgumentsError, 'MANAGERD_ERR_BAD_ARGUMENTS'],
    ['options and positional arguments at once', async (m: Manager) => (await m.queue()).put(1, {} as never, 5 as never), BadArgumentsError, 'MANAGERD_ERR_BAD_ARGUMENTS'],
    ['an item that cannot be encoded', async (m: Manager) => (await m.queue()).put(() => 1), Error, 'MANAGERD_ERR_UNSERIALIZABLE'],
    ['taskDone called too often', async (m: Manager) => (await m.joinableQueue()).taskDone(), RemoteError, 'MANAGERD_ERR_REMOTE'],
  ] as const)('%s is a clear error', async (_what, call, cls, code) => {
    await using h = await startHarness()
    const m = await h.client()
    const err = await rejectionOf(call(m))
    expect(err).toBeInstanceOf(cls)
    expect(err.code).toBe(code)
    await m.close()
  })
})

describe('JoinableQueue', () => {
  test('4 consumer connections, taskDone, and join returns once all 10 items are done', async () => {
    await using h = await startHarness()
    const producer = await h.client({ name: 'producer' })
    const q = await producer.joinableQueue<number>()
    const [, consumers] = await shared<JoinableQueueProxy<number>>(h, producer, q, 4)
    const done: number[] = []
    const work = consumers.map(async (cq) => {
      for (;;) {
        const item = await cq.get()
        if (item < 0) return cq.taskDone()
        done.push(item)
        await cq.taskDone()
      }
    })
    for (let i = 0; i < 10; i++) await q.put(i)
    await q.join()
    expect(done.sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    for (let i = 0; i < 4; i++) await q.put(-1)
    await Promise.all(work)
    await q.join()
    const err = await rejectionOf(q.taskDone())
    expect(err).toMatchObject({ code: 'MANAGERD_ERR_REMOTE', remoteName: 'ValueError' })
  })

  test('join parks until the last taskDone, from another connection', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const q = await a.joinableQueue<string>()
    const [, [qb]] = await shared(h, a, q, 1)
    await q.join() // nothing put: returns at once
    await q.put('job')
    const joined = track(q.join())
    await a.ping()
    expect(joined.settled).toBe(false)
    expect(await qb!.get()).toBe('job')
    await a.ping()
    expect(joined.settled).toBe(false) // taken, not done
    await qb!.taskDone()
    await joined.promise
  })
})
