// Claims: what a session holds beyond references, as debugInfo reports it — the built-in locks
// and semaphores, and a user type using the same public session.claim() — and released with
// the session that held it.

import type { DebugInfo } from '../protocol'
import { currentCall } from '../server'
import type { Registry } from '../server'
import { eventually, startHarness } from './helpers/harness'

/** A user type that grants one session at a time a lease, released when that session ends. */
class Lease {
  #holder: { session: string; drop: () => void } | null = null
  ended = 0
  take(): boolean {
    if (this.#holder !== null) return false
    const call = currentCall()
    const drop = call.session.claim({ object: call.target, kind: 'lease', count: 1, label: 'nightly' }, () => {
      this.#holder = null
      this.ended++
    })
    this.#holder = { session: call.session.id, drop }
    return true
  }
  give(): void {
    this.#holder?.drop()
    this.#holder = null
  }
  endedCount(): number {
    return this.ended
  }
}

const registerTypes = (registry: Registry): void => registry.register('Lease', { create: () => new Lease() })
const holdsOf = (info: DebugInfo, name: string) => info.sessions.find((s) => s.name === name)?.holds

describe('claims in debugInfo', () => {
  test('semaphore permits and reentrant lock depth are counted as they change', async () => {
    await using h = await startHarness()
    const m = await h.client({ name: 'holder' })
    const sem = await m.semaphore(5)
    const r = await m.rlock()
    await sem.acquire()
    await sem.acquire()
    await r.acquire()
    expect(holdsOf(await m.debugInfo(), 'holder')).toEqual([
      { id: sem.$token.id, typeid: 'Semaphore', kind: 'permits', count: 2, label: null },
      { id: r.$token.id, typeid: 'RLock', kind: 'lock', count: 1, label: null },
    ])
    await r.acquire()
    await sem.release()
    expect(holdsOf(await m.debugInfo(), 'holder')).toEqual([
      { id: sem.$token.id, typeid: 'Semaphore', kind: 'permits', count: 1, label: null },
      { id: r.$token.id, typeid: 'RLock', kind: 'lock', count: 2, label: null },
    ])
    await sem.release()
    await r.release()
    await r.release()
    expect(holdsOf(await m.debugInfo(), 'holder')).toEqual([])
  })

  test("a Condition's own lock is reported against the Condition", async () => {
    await using h = await startHarness()
    const m = await h.client({ name: 'waiter' })
    const c = await m.condition()
    await c.acquire()
    expect(holdsOf(await m.debugInfo(), 'waiter')).toEqual([{ id: c.$token.id, typeid: 'Condition', kind: 'lock', count: 1, label: null }])
    await c.release()
  })

  test('a user type claims through session.claim(); the claim goes when given back or when its session ends', async () => {
    await using h = await startHarness({ registerTypes })
    const a = await h.client({ name: 'a' })
    const observer = await h.client({ name: 'observer' })
    const lease = await a.create<Lease>('Lease')
    await a.publish('lease', lease)
    expect(await lease.take()).toBe(true)
    expect(holdsOf(await observer.debugInfo(), 'a')).toEqual([{ id: lease.$token.id, typeid: 'Lease', kind: 'lease', count: 1, label: 'nightly' }])
    await lease.give()
    expect(holdsOf(await observer.debugInfo(), 'a')).toEqual([])

    expect(await lease.take()).toBe(true)
    await a.close()
    const seen = await observer.lookup<Lease>('lease')
    await eventually(async () => (await seen.endedCount()) === 1, 5000, 'the claim to end with its session')
    expect(holdsOf(await observer.debugInfo(), 'a')).toBeUndefined()
    expect(await seen.take()).toBe(true) // free again
    expect(holdsOf(await observer.debugInfo(), 'observer')).toHaveLength(1)
    await observer.unpublish('lease')
    await seen.give()
  })
})
