// Lock, RLock, Semaphore and BoundedSemaphore across separate connections: ownership by session
// (and RLock label), reentrancy, release on session end (logged), withLock, and parked calls
// that must not slow anyone else down.
import {
  BadArgumentsError,
  CallTimeoutError,
  ObjectFreedError,
  RemoteError,
  type LockProxy,
  type Manager,
  type ProxyControls,
  type RLockProxy,
  type SemaphoreProxy,
} from '../client'
import { eventually, startHarness, type Harness } from './helpers/harness'
import { rejectionOf, track } from './helpers/tracking'

/** The same object seen from `n` more connections. */
async function sharedWith<P extends ProxyControls>(h: Harness, owner: Manager, proxy: P, n: number): Promise<P[]> {
  const name = `shared-${proxy.$token.id}`
  await owner.publish(name, proxy)
  const out: P[] = []
  for (let i = 0; i < n; i++) out.push(await (await h.client({ name: `peer-${i}` })).lookup<P>(name))
  await owner.unpublish(name)
  return out
}

describe('Lock', () => {
  test('one session at a time; a blocked acquire is served by the release', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const lock = await a.lock()
    const [lb] = (await sharedWith(h, a, lock, 1)) as [LockProxy]
    expect(await lock.locked()).toBe(false)
    expect(await lock.acquire()).toBe(true)
    expect(await lb.locked()).toBe(true)
    expect(await lb.acquire(false)).toBe(false)
    expect(await lb.acquire({ timeoutMs: 0 })).toBe(false)
    expect(await lb.acquire({ timeoutMs: 30 })).toBe(false)
    const waiting = track(lb.acquire())
    await lb.locked()
    expect(waiting.settled).toBe(false)
    await lock.release()
    expect(await waiting.promise).toBe(true)
    // Not reentrant, even for the session that holds it (as Python's Lock).
    expect(await lb.acquire({ timeoutMs: 0 })).toBe(false)
    await lb.release()
  })

  test('release errors are Python\'s: unheld, or held by another session', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const lock = await a.lock()
    const [lb] = (await sharedWith(h, a, lock, 1)) as [LockProxy]
    const unheld = await rejectionOf(lock.release())
    expect(unheld).toBeInstanceOf(RemoteError)
    expect(unheld).toMatchObject({ code: 'MANAGERD_ERR_REMOTE', remoteName: 'RuntimeError', message: 'release unlocked lock' })
    await lock.acquire()
    const other = await rejectionOf(lb.release())
    expect(other).toMatchObject({ code: 'MANAGERD_ERR_REMOTE', remoteName: 'RuntimeError' })
    expect(await lb.locked()).toBe(true)
    await lock.release()
  })

  test('a session that ends holding a lock releases it, and the daemon logs it', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const b = await h.client({ name: 'leaves-early' })
    const lock = await a.lock()
    await a.publish('l', lock)
    const lb = await b.lookup<LockProxy>('l')
    await a.unpublish('l')
    await lb.acquire()
    const waiting = track(lock.acquire())
    await a.ping()
    expect(waiting.settled).toBe(false)
    await b.close() // without releasing
    expect(await waiting.promise).toBe(true)
    const warned = h.logs.find('session ended holding a lock; released it')
    expect(warned).toHaveLength(1)
    expect(warned[0]).toMatchObject({ level: 40, session: b.sessionId, client: 'leaves-early' })
    await lock.release()
  })

  test('withLock runs fn under the lock and releases it, also when fn throws', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const lock = await a.lock()
    expect(await lock.withLock(async () => (await lock.locked()) && 'inside')).toBe('inside')
    expect(await lock.locked()).toBe(false)
    await expect(lock.withLock(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(await lock.locked()).toBe(false)
    // Concurrent tasks of one session exclude each other: read-modify-write never interleaves.
    const total = await a.value('i', 0, { lock: false })
    await Promise.all(
      Array.from({ length: 5 }, () =>
        lock.withLock(async () => {
          const v = await total.get()
          await a.ping()
          await total.set(v + 1)
        }),
      ),
    )
    expect(await total.get()).toBe(5)
    await total.$release()
  })

  test('withLock with a timeout does not run fn when the lock stays taken', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const lock = await a.lock()
    const [lb] = (await sharedWith(h, a, lock, 1)) as [LockProxy]
    await lock.acquire()
    let ran = false
    const err = await rejectionOf(lb.withLock(() => (ran = true), { timeoutMs: 20 }))
    expect(err).toBeInstanceOf(CallTimeoutError)
    expect(err.code).toBe('MANAGERD_ERR_CALL_TIMEOUT')
    expect(ran).toBe(false)
    await lock.release()
  })

  test('an acquire parked on a lock that is freed rejects with ObjectFreedError', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const b = await h.client()
    const lock = await a.lock()
    await a.publish('l', lock)
    const lb = await b.lookup<LockProxy>('l')
    await lock.acquire()
    const parked = lb.acquire()
    await b.ping()
    await lb.$release()
    await a.unpublish('l')
    await lock.$release()
    expect(await rejectionOf(parked)).toBeInstanceOf(ObjectFreedError)
  })

  test('1000 parked acquires do not hold up an unrelated session, and are served in turn', async () => {
    await using h = await startHarness()
    const holder = await h.client({ name: 'holder' })
    const lock = await holder.lock()
    const [waiterLock] = (await sharedWith(h, holder, lock, 1)) as [LockProxy]
    await lock.acquire()
    const parked = Array.from({ length: 1000 }, () => track(waiterLock.acquire()))
    await waiterLock.locked()
    const info = await holder.debugInfo()
    expect(info.sessions.reduce((n, s) => n + s.parkedCalls, 0)).toBe(1000)
    // An unrelated session is served meanwhile.
    const other = await h.client({ name: 'unrelated' })
    const d = await other.dict<number, number>()
    for (let i = 0; i < 200; i++) await d.set(i, i)
    expect(await d.size()).toBe(200)
    await d.$release()
    expect(parked.every((p) => !p.settled)).toBe(true)
    // Released, the lock goes to each parked acquire in order.
    await lock.release()
    for (const p of parked) {
      expect(await p.promise).toBe(true)
      await waiterLock.release()
    }
    expect(await lock.locked()).toBe(false)
  })
})

describe('RLock', () => {
  test('reentrant 3 deep; another session waits until the last release', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const r = await a.rlock()
    const [rb] = (await sharedWith(h, a, r, 1)) as [RLockProxy]
    for (let i = 0; i < 3; i++) expect(await r.acquire()).toBe(true)
    const waiting = track(rb.acquire())
    for (let i = 0; i < 2; i++) {
      await r.release()
      await rb.locked()
      expect(waiting.settled).toBe(false)
    }
    await r.release()
    expect(await waiting.promise).toBe(true)
    const err = await rejectionOf(r.release())
    expect(err).toMatchObject({ code: 'MANAGERD_ERR_REMOTE', remoteName: 'RuntimeError', message: 'cannot release un-acquired lock' })
    await rb.release()
  })

  test('owner labels tell apart two tasks of one session', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const r = await a.rlock()
    expect(await r.acquire({ owner: 'task-a' })).toBe(true)
    expect(await r.acquire({ owner: 'task-a', block: false })).toBe(true) // reentrant for its owner
    expect(await r.acquire({ owner: 'task-b', timeoutMs: 0 })).toBe(false)
    expect(await r.acquire({ timeoutMs: 0 })).toBe(false) // no label is another owner too
    expect(await rejectionOf(r.release({ owner: 'task-b' }))).toMatchObject({ remoteName: 'RuntimeError' })
    const b = track(r.acquire({ owner: 'task-b' }))
    await r.release({ owner: 'task-a' })
    await r.locked()
    expect(b.settled).toBe(false)
    await r.release({ owner: 'task-a' })
    expect(await b.promise).toBe(true)
    expect(await r.withLock(async () => 'nested', { owner: 'task-b' })).toBe('nested')
    await r.release({ owner: 'task-b' })
    expect(await r.locked()).toBe(false)
  })

  test('a session ending while holding it 2 deep releases it entirely', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const r = await a.rlock()
    const [rb] = (await sharedWith(h, a, r, 1)) as [RLockProxy]
    await rb.acquire()
    await rb.acquire()
    const waiting = r.acquire()
    await r.locked()
    const bSession = [...h.daemon.core.sessions.values()].find((s) => s.id !== a.sessionId)!
    h.daemon.core.sessions.end(bSession, 'test')
    expect(await waiting).toBe(true)
    expect(h.logs.find('session ended holding a lock; released it')[0]).toMatchObject({ depth: 2, session: bSession.id })
    await r.release()
  })
})

describe('Semaphore and BoundedSemaphore', () => {
  test('n permits across connections; a third acquire waits for a release', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const s = await a.semaphore(2)
    const [sb, sc] = (await sharedWith(h, a, s, 2)) as [SemaphoreProxy, SemaphoreProxy]
    expect(await s.acquire()).toBe(true)
    expect(await sb.acquire()).toBe(true)
    expect(await s.getValue()).toBe(0)
    expect(await sc.acquire({ timeoutMs: 0 })).toBe(false)
    const waiting = track(sc.acquire())
    await sc.getValue()
    expect(waiting.settled).toBe(false)
    await s.release()
    expect(await waiting.promise).toBe(true)
    expect(await s.getValue()).toBe(0)
    await sb.release()
    await sc.release()
    expect(await s.getValue()).toBe(2)
    // A plain Semaphore may be released above its start (Python allows it)…
    await s.release(2)
    expect(await s.getValue()).toBe(4)
  })

  test('a BoundedSemaphore rejects releasing above its initial value', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const s = await a.boundedSemaphore(1)
    const err = await rejectionOf(s.release())
    expect(err).toMatchObject({ code: 'MANAGERD_ERR_REMOTE', remoteName: 'ValueError', message: 'Semaphore released too many times' })
    await s.acquire()
    await s.release()
    expect(await s.withLock(() => 'ok')).toBe('ok')
    expect(await s.getValue()).toBe(1)
  })

  test('an acquire parked on a Semaphore that is freed rejects with ObjectFreedError', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const s = await a.semaphore(1)
    await s.acquire()
    const parked = track(s.acquire())
    await a.ping()
    expect(parked.settled).toBe(false)
    await s.$release()
    expect(await rejectionOf(parked.promise)).toBeInstanceOf(ObjectFreedError)
  })

  test('permits held by a session that ends come back (logged); a release for another session does not double them', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const s = await a.boundedSemaphore(3)
    const [sb] = (await sharedWith(h, a, s, 1)) as [SemaphoreProxy]
    await sb.acquire()
    await sb.acquire()
    await sb.acquire()
    await s.release() // released on B's behalf: settles one of B's permits
    expect(await s.getValue()).toBe(1)
    const bSession = [...h.daemon.core.sessions.values()].find((x) => x.id !== a.sessionId)!
    h.daemon.core.sessions.end(bSession, 'test')
    expect(await s.getValue()).toBe(3)
    expect(h.logs.find('session ended holding semaphore permits; released them')[0]).toMatchObject({ permits: 2 })
  })
})

describe('bad input to locks and semaphores', () => {
  test.each([
    ['Semaphore(-1)', (m: Manager) => m.semaphore(-1)],
    ['Semaphore(1.5)', (m: Manager) => m.semaphore(1.5)],
    ['release(0) on a Semaphore', async (m: Manager) => (await m.semaphore()).release(0)],
    ['acquire with an unknown option', async (m: Manager) => (await m.lock()).acquire({ timeout: 1 } as never)],
    ['acquire with an owner label on a Lock', async (m: Manager) => (await m.lock()).acquire({ owner: 'x' } as never)],
    ['an RLock owner that is not a string', async (m: Manager) => (await m.rlock()).acquire({ owner: 5 as never })],
    ['acquire(false, 10)', async (m: Manager) => (await m.lock()).acquire(false, 10)],
    ['acquire with timeoutMs NaN', async (m: Manager) => (await m.lock()).acquire({ timeoutMs: NaN })],
    ['a Condition over something that is not a lock', async (m: Manager) => m.condition((await m.dict()) as never)],
  ])('%s: BadArgumentsError', async (_what, call) => {
    await using h = await startHarness()
    const m = await h.client()
    const err = await rejectionOf(call(m))
    expect(err).toBeInstanceOf(BadArgumentsError)
    expect(err.code).toBe('MANAGERD_ERR_BAD_ARGUMENTS')
    await m.close()
  })
})
