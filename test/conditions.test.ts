// Condition and Event across separate connections: exactly as many waiters wake as notified,
// the lock is released while waiting and taken back after, waitFor over a shared Value, and
// waiters that time out, leave, or outlive their object.
import {
  ObjectFreedError,
  type ConditionProxy,
  type EventProxy,
  type Manager,
  type ProxyControls,
  type ValueProxy,
} from '../client'
import { eventually, startHarness, type Harness } from './helpers/harness'
import { rejectionOf, track } from './helpers/tracking'

async function peers<P extends ProxyControls>(h: Harness, owner: Manager, proxy: P, n: number): Promise<Array<{ m: Manager; p: P }>> {
  const name = `shared-${proxy.$token.id}`
  await owner.publish(name, proxy)
  const out: Array<{ m: Manager; p: P }> = []
  for (let i = 0; i < n; i++) {
    const m = await h.client({ name: `peer-${i}` })
    out.push({ m, p: await m.lookup<P>(name) })
  }
  await owner.unpublish(name)
  return out
}

async function parkedCalls(m: Manager, sessions: Manager[]): Promise<number> {
  const ids = new Set(sessions.map((s) => s.sessionId))
  return (await m.debugInfo()).sessions.filter((s) => ids.has(s.id)).reduce((n, s) => n + s.parkedCalls, 0)
}

/** Each peer acquires, waits, notes that it woke, releases. Resolves once all are waiting. */
async function startWaiters(h: Harness, notifier: Manager, cond: ConditionProxy, n: number) {
  const ps = await peers(h, notifier, cond, n)
  const woke: number[] = []
  const done = ps.map(async ({ p }, i) => {
    await p.acquire()
    const notified = await p.wait()
    woke.push(i)
    await p.release()
    return notified
  })
  const managers = ps.map((x) => x.m)
  // All n parked means all are in wait(): one parked in acquire would need a holder that is not.
  await eventually(async () => (await parkedCalls(notifier, managers)) === n, 10_000, `${n} waiters`)
  /**
   * Exactly `expected` have woken so far. Once every woken waiter has released the lock again, a
   * waiter woken beyond `expected` would have been handed the lock and its wait() settled on the
   * daemon, so the count of parked calls tells — no race with the order replies arrive in.
   */
  const expectWoken = async (expected: number): Promise<void> => {
    await eventually(() => woke.length >= expected, 10_000, `${expected} woken`)
    await Promise.all(woke.map((i) => done[i]))
    expect(await parkedCalls(notifier, managers)).toBe(n - expected)
    expect(woke).toHaveLength(expected)
  }
  return { woke, done, managers, expectWoken }
}

describe('Condition', () => {
  test('notify wakes exactly one of two waiters', async () => {
    await using h = await startHarness()
    const a = await h.client({ name: 'notifier' })
    const cond = await a.condition()
    const { done, expectWoken } = await startWaiters(h, a, cond, 2)
    await cond.withLock(() => cond.notify())
    await expectWoken(1)
    await cond.withLock(() => cond.notify())
    await expectWoken(2)
    expect(await Promise.all(done)).toEqual([true, true])
  })

  test('notifyAll wakes six', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const cond = await a.condition()
    const { woke, done, expectWoken } = await startWaiters(h, a, cond, 6)
    await cond.withLock(() => cond.notifyAll())
    await expectWoken(6)
    expect(await Promise.all(done)).toEqual([true, true, true, true, true, true])
    expect(woke.sort()).toEqual([0, 1, 2, 3, 4, 5])
  })

  test('notify(2), notify(4) and notify(3) wake 2, 4 and 3', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const cond = await a.condition()
    const { done, expectWoken } = await startWaiters(h, a, cond, 9)
    let expected = 0
    for (const n of [2, 4, 3]) {
      await cond.withLock(() => cond.notify(n))
      expected += n
      await expectWoken(expected)
    }
    await Promise.all(done)
  })

  test('wait(timeout) returns false, and the lock is held again afterwards', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const cond = await a.condition()
    const other = (await peers(h, a, cond, 1))[0]!.p
    await cond.acquire()
    expect(await cond.wait(50)).toBe(false)
    expect(await cond.wait(0)).toBe(false)
    expect(await cond.wait({ timeoutMs: 20 })).toBe(false)
    expect(await other.acquire({ timeoutMs: 0 })).toBe(false)
    await cond.release()
    expect(await other.acquire({ timeoutMs: 0 })).toBe(true)
    await other.release()
  })

  test('waitFor works with a shared Value', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const cond = await a.condition()
    const count = await a.value('i', 0)
    await a.publish('count', count)
    const { m: bm, p: condB } = (await peers(h, a, cond, 1))[0]!
    const countB = await bm.lookup<ValueProxy<'i'>>('count')
    await a.unpublish('count')
    await cond.acquire()
    const reached = cond.waitFor(async () => (await count.get()) >= 3)
    const bumps = (async () => {
      for (let i = 0; i < 3; i++) {
        await condB.withLock(async () => {
          await countB.add(1)
          await condB.notifyAll()
        })
      }
    })()
    expect(await reached).toBe(true)
    expect(await count.get()).toBe(3)
    await cond.release()
    await bumps
    // Never true: the loop gives up after the timeout and returns the predicate's last value.
    await cond.acquire()
    expect(await cond.waitFor(async () => (await count.get()) > 100, 60)).toBe(false)
    await cond.release()
  })

  test('a Condition over an RLock releases every level while waiting and restores them', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const r = await a.rlock()
    const cond = await a.condition(r)
    const other = (await peers(h, a, cond, 1))[0]!.p
    await cond.acquire()
    await cond.acquire()
    const waiting = track(cond.wait())
    expect(await other.acquire()).toBe(true) // both levels were released
    await other.notify()
    await other.release()
    expect(await waiting.promise).toBe(true)
    await cond.release()
    expect(await r.locked()).toBe(true) // the second level came back
    await cond.release()
    expect(await r.locked()).toBe(false)
  })

  test("wait and notify without the lock are Python's RuntimeError", async () => {
    await using h = await startHarness()
    const a = await h.client()
    const cond = await a.condition()
    expect(await rejectionOf(cond.wait(10))).toMatchObject({ code: 'MANAGERD_ERR_REMOTE', remoteName: 'RuntimeError', message: 'cannot wait on un-acquired lock' })
    expect(await rejectionOf(cond.notify())).toMatchObject({ remoteName: 'RuntimeError', message: 'cannot notify on un-acquired lock' })
    expect(await rejectionOf(cond.notifyAll())).toMatchObject({ remoteName: 'RuntimeError' })
    expect(await rejectionOf(cond.notify(-1))).toMatchObject({ code: 'MANAGERD_ERR_BAD_ARGUMENTS' })
  })

  test('a waiter whose session ends is dropped: a notify goes to the next one', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const cond = await a.condition()
    const [gone, stays] = await peers(h, a, cond, 2)
    await gone!.p.acquire()
    void gone!.p.wait().catch(() => {})
    await eventually(async () => (await parkedCalls(a, [gone!.m])) === 1, 10_000, 'the first waiter')
    await stays!.p.acquire()
    const second = stays!.p.wait()
    await eventually(async () => (await parkedCalls(a, [stays!.m])) === 1, 10_000, 'the second waiter')
    await gone!.m.close()
    await eventually(() => h.daemon.core.sessions.get(gone!.m.sessionId) === undefined, 10_000, 'the session to end')
    await cond.withLock(() => cond.notify(1))
    expect(await second).toBe(true)
    await stays!.p.release()
  })

  test('a wait on a Condition that is freed rejects with ObjectFreedError', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const cond = await a.condition()
    await cond.acquire()
    const waiting = cond.wait()
    await a.ping()
    await cond.$release()
    expect(await rejectionOf(waiting)).toBeInstanceOf(ObjectFreedError)
  })
})

describe('Event', () => {
  test('set from another connection wakes every waiter', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const ev = await a.event()
    const waiters = await peers<EventProxy>(h, a, ev, 3)
    const waits = waiters.map(({ p }) => p.wait())
    await eventually(async () => (await parkedCalls(a, waiters.map((w) => w.m))) === 3, 10_000, 'three waiters')
    expect(await ev.isSet()).toBe(false)
    await ev.set()
    expect(await Promise.all(waits)).toEqual([true, true, true])
    expect(await waiters[0]!.p.isSet()).toBe(true)
    expect(await waiters[0]!.p.wait()).toBe(true) // already set: at once
  })

  test('wait(timeout) returns false; clear resets the flag', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const ev = await a.event()
    expect(await ev.wait(30)).toBe(false)
    expect(await ev.wait(0)).toBe(false)
    await ev.set()
    await ev.clear()
    expect(await ev.isSet()).toBe(false)
    expect(await ev.wait(0)).toBe(false)
    expect(await rejectionOf(ev.wait(-5))).toMatchObject({ code: 'MANAGERD_ERR_BAD_ARGUMENTS' })
  })

  test('a wait on an Event that is freed rejects with ObjectFreedError', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const ev = await a.event()
    const waiting = ev.wait()
    await a.ping()
    await ev.$release()
    expect(await rejectionOf(waiting)).toBeInstanceOf(ObjectFreedError)
  })
})
