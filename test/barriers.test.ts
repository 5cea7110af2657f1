// Barrier across separate connections: indexes, breaking (abort, reset, timeout, a party
// leaving), reuse, and the action — a method of a shared object run before anyone goes on.
import { BadArgumentsError, BrokenBarrierError, ObjectFreedError, type BarrierProxy, type ListProxy, type Manager } from '../client'
import { eventually, startHarness, type Harness } from './helpers/harness'
import { rejectionOf } from './helpers/tracking'

async function parties(h: Harness, owner: Manager, barrier: BarrierProxy, n: number): Promise<Array<{ m: Manager; b: BarrierProxy }>> {
  const name = `barrier-${barrier.$token.id}`
  await owner.publish(name, barrier)
  const out: Array<{ m: Manager; b: BarrierProxy }> = []
  for (let i = 0; i < n; i++) {
    const m = await h.client({ name: `party-${i}` })
    out.push({ m, b: await m.lookup<BarrierProxy>(name) })
  }
  await owner.unpublish(name)
  return out
}

describe('Barrier', () => {
  test('Barrier(5) across five connections: every party gets a different index, exactly one gets 0', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const barrier = await a.barrier(5)
    const ps = await parties(h, a, barrier, 5)
    expect(await barrier.parties()).toBe(5)
    const indexes = await Promise.all(ps.map(({ b }) => b.wait()))
    expect(indexes.filter((i) => i === 0)).toHaveLength(1)
    expect([...indexes].sort()).toEqual([0, 1, 2, 3, 4])
    // It is ready for another round.
    expect(await barrier.nWaiting()).toBe(0)
    expect(await barrier.broken()).toBe(false)
    const again = await Promise.all(ps.map(({ b }) => b.wait()))
    expect([...again].sort()).toEqual([0, 1, 2, 3, 4])
  })

  test('Barrier(1) can be waited twice', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const barrier = await a.barrier(1)
    expect(await barrier.wait()).toBe(0)
    expect(await barrier.wait()).toBe(0)
  })

  test('abort breaks the waiters and every later wait until reset', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const barrier = await a.barrier(3)
    const ps = await parties(h, a, barrier, 2)
    const waits = ps.map(({ b }) => rejectionOf(b.wait()))
    await eventually(async () => (await barrier.nWaiting()) === 2, 10_000, 'two waiting')
    await barrier.abort()
    for (const err of await Promise.all(waits)) {
      expect(err).toBeInstanceOf(BrokenBarrierError)
      expect(err.code).toBe('MANAGERD_ERR_BROKEN_BARRIER')
    }
    expect(await barrier.broken()).toBe(true)
    expect(await rejectionOf(ps[0]!.b.wait())).toBeInstanceOf(BrokenBarrierError)
    await barrier.reset()
    expect(await barrier.broken()).toBe(false)
    const indexes = await Promise.all([barrier.wait(), ...ps.map(({ b }) => b.wait())])
    expect([...indexes].sort()).toEqual([0, 1, 2])
  })

  test('reset breaks the current waiters and leaves the barrier usable', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const barrier = await a.barrier(2)
    const [p] = await parties(h, a, barrier, 1)
    const waiting = rejectionOf(p!.b.wait())
    await eventually(async () => (await barrier.nWaiting()) === 1, 10_000, 'one waiting')
    await barrier.reset()
    expect(await waiting).toBeInstanceOf(BrokenBarrierError)
    expect(await barrier.broken()).toBe(false)
    expect((await Promise.all([barrier.wait(), p!.b.wait()])).sort()).toEqual([0, 1])
  })

  test('a timeout breaks every party', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const barrier = await a.barrier(4, { timeoutMs: 10_000 })
    const ps = await parties(h, a, barrier, 2)
    const patient = ps.map(({ b }) => rejectionOf(b.wait()))
    await eventually(async () => (await barrier.nWaiting()) === 2, 10_000, 'two waiting')
    const impatient = await rejectionOf(barrier.wait(50))
    expect(impatient).toBeInstanceOf(BrokenBarrierError)
    for (const err of await Promise.all(patient)) expect(err).toBeInstanceOf(BrokenBarrierError)
    expect(await barrier.broken()).toBe(true)
    expect(await barrier.nWaiting()).toBe(0)
  })

  test("the barrier's own timeoutMs breaks every party when no wait gives one", async () => {
    await using h = await startHarness()
    const a = await h.client()
    const barrier = await a.barrier(3, { timeoutMs: 100 })
    const ps = await parties(h, a, barrier, 2)
    const errors = await Promise.all(ps.map(({ b }) => rejectionOf(b.wait())))
    for (const err of errors) expect(err).toBeInstanceOf(BrokenBarrierError)
    expect(await barrier.broken()).toBe(true)
    expect(await barrier.nWaiting()).toBe(0)
    // A wait's own timeout wins over the barrier's: null waits for good.
    await barrier.reset()
    const patient = Promise.all(ps.map(({ b }) => b.wait(null)))
    await eventually(async () => (await barrier.nWaiting()) === 2, 10_000, 'two waiting past the default timeout')
    await new Promise((r) => setTimeout(r, 300)) // longer than the barrier's 100 ms: they must still wait
    expect(await barrier.broken()).toBe(false)
    const indexes = [await barrier.wait(), ...(await patient)]
    expect(indexes.sort()).toEqual([0, 1, 2])
  })

  test("a waiting party's session ending breaks the barrier for the others", async () => {
    await using h = await startHarness()
    const a = await h.client()
    const barrier = await a.barrier(3)
    const [stays, leaves] = await parties(h, a, barrier, 2)
    const waiting = rejectionOf(stays!.b.wait())
    void leaves!.b.wait().catch(() => {})
    await eventually(async () => (await barrier.nWaiting()) === 2, 10_000, 'two waiting')
    await leaves!.m.close()
    const err = await waiting
    expect(err).toBeInstanceOf(BrokenBarrierError)
    expect(err.message).toMatch(/a waiting party left/)
    expect(await barrier.broken()).toBe(true)
  })

  test('the action runs once per round, before any party goes on', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const log = await a.list<string>()
    await a.publish('log', log)
    const barrier = await a.barrier(3, { action: { target: log, method: 'append', args: ['tripped'] } })
    const ps = await parties(h, a, barrier, 3)
    const seen = await Promise.all(
      ps.map(async ({ m, b }) => {
        const l = await m.lookup<ListProxy<string>>('log')
        await b.wait()
        // Released, every party already sees the action's effect.
        return l.copy()
      }),
    )
    expect(seen).toEqual([['tripped'], ['tripped'], ['tripped']])
    await Promise.all(ps.map(({ b }) => b.wait()))
    expect(await log.copy()).toEqual(['tripped', 'tripped'])
    await a.unpublish('log')
  })

  test('an action that parks holds every party until it completes', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const gate = await a.event()
    const barrier = await a.barrier(2, { action: { target: gate, method: 'wait' } })
    const [p] = await parties(h, a, barrier, 1)
    const both = Promise.all([barrier.wait(), p!.b.wait()])
    await eventually(async () => (await a.debugInfo()).sessions.reduce((n, s) => n + s.parkedCalls, 0) === 2, 10_000, 'both parked')
    expect(await barrier.nWaiting()).toBe(0) // the round has tripped; its action is running
    await gate.set()
    expect((await both).sort()).toEqual([0, 1])
  })

  test('a failing action breaks the barrier: the last party gets its error, the others BrokenBarrierError', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const empty = await a.list<string>()
    const barrier = await a.barrier(2, { action: { target: empty, method: 'pop' } })
    const [p] = await parties(h, a, barrier, 1)
    const first = rejectionOf(p!.b.wait())
    await eventually(async () => (await barrier.nWaiting()) === 1, 10_000, 'one waiting')
    const last = await rejectionOf(barrier.wait())
    expect(last).toMatchObject({ code: 'MANAGERD_ERR_REMOTE', remoteName: 'IndexError' })
    expect(await first).toBeInstanceOf(BrokenBarrierError)
    expect(await barrier.broken()).toBe(true)
  })

  test('a wait on a Barrier that is freed rejects with ObjectFreedError', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const barrier = await a.barrier(2)
    const waiting = barrier.wait()
    await a.ping()
    await barrier.$release()
    expect(await rejectionOf(waiting)).toBeInstanceOf(ObjectFreedError)
  })

  test.each([
    ['parties 0', (m: Manager) => m.barrier(0)],
    ['parties 2.5', (m: Manager) => m.barrier(2.5)],
    ['an unknown option', (m: Manager) => m.barrier(2, { timeout: 5 } as never)],
    ['a function as the action', (m: Manager) => m.create('Barrier', 2, { action: { target: 'nope', method: 'x' } })],
    ['an action without a method', async (m: Manager) => m.barrier(2, { action: { target: await m.list(), method: '' } })],
    ['a negative default timeout', (m: Manager) => m.barrier(2, { timeoutMs: -1 })],
  ])('%s: BadArgumentsError', async (_what, call) => {
    await using h = await startHarness()
    const m = await h.client()
    const err = await rejectionOf(call(m))
    expect(err).toBeInstanceOf(BadArgumentsError)
    expect(err.code).toBe('MANAGERD_ERR_BAD_ARGUMENTS')
    await m.close()
  })
})
