// A client process killed with SIGKILL (no goodbye, no release) while it holds references, a
// lock and a parked queue get: once its session's grace period is over, the daemon frees its
// objects, gives the lock to the next waiter (and logs it), and forgets the parked get, so the
// next item put is not swallowed by a dead getter.
import { join } from 'node:path'
import type { QueueProxy } from '../client'
import { eventually, startHarness } from './helpers/harness'
import { spawnClient } from './helpers/client-process'
import { track } from './helpers/tracking'

test('a SIGKILLed client process: after the grace period its objects are freed, its lock is handed on, its parked get is gone', async () => {
  await using h = await startHarness({ sessionGraceMs: 300 })
  const waiter = await h.client({ name: 'waiter' })
  const lock = await waiter.lock()
  await waiter.publish('crash-lock', lock)
  const queue: QueueProxy<string> = await waiter.queue<string>()
  await waiter.publish('crash-queue', queue)
  const baseline = await waiter.numberOfObjects()
  await using holder = spawnClient(join(__dirname, 'fixtures/hold-lock.js'), h.address, { LOCK_NAME: 'crash-lock', QUEUE_NAME: 'crash-queue' })
  const said = (await holder.nextLine()) as { acquired: boolean; parked: boolean; session: string; own: string[] }
  expect(said).toMatchObject({ acquired: true, parked: true })
  const during = await waiter.numberOfObjects()
  expect(during).toBe(baseline + 2) // its dict and list
  const theirs = (await waiter.debugInfo()).sessions.find((s) => s.id === said.session)!
  expect(theirs.parkedCalls).toBe(1)
  expect(theirs.references).toHaveLength(4) // dict, list, and its proxies of the lock and the queue
  expect(await lock.locked()).toBe(true)
  const acquired = track(lock.acquire())
  await waiter.ping()
  expect(acquired.settled).toBe(false)

  holder.child.kill('SIGKILL')
  expect((await holder.exited).signal).toBe('SIGKILL')
  expect(await acquired.promise).toBe(true)
  await eventually(async () => (await waiter.numberOfObjects()) === baseline, 5000, 'its objects to be freed')
  const after = await waiter.numberOfObjects()
  console.log(`SIGKILLed client: objects ${baseline} before it started, ${during} while it ran, ${after} after its grace period`)
  const info = await waiter.debugInfo()
  expect(info.sessions.map((s) => s.id)).not.toContain(said.session)
  expect(info.objects.map((o) => o.id)).not.toEqual(expect.arrayContaining([said.own[0]]))
  // Its parked get went with it: the next item stays in the queue for a live getter.
  await queue.put('after the crash')
  expect(await queue.qsize()).toBe(1)
  expect(await queue.get({ timeoutMs: 5000 })).toBe('after the crash')

  // In order: the connection drops, the session waits out its grace, ends, and the lock goes.
  const ofHolder = h.logs.lines.filter((l) => l.session === said.session).map((l) => l.msg)
  const lost = ofHolder.indexOf('connection lost; session kept for resume')
  const ended = ofHolder.indexOf('session ended')
  const released = ofHolder.indexOf('session ended holding a lock; released it')
  expect(lost).toBeGreaterThanOrEqual(0)
  expect(released).toBeGreaterThan(lost)
  expect(ended).toBeGreaterThan(released)
  expect(h.logs.find('session ended').find((l) => l.session === said.session)).toMatchObject({ reason: 'not resumed within the grace period' })
  await lock.release()
  await waiter.unpublish('crash-lock')
  await waiter.unpublish('crash-queue')
  await eventually(() => h.daemon.core.sessions.size === 1, 5000, 'only the waiter left')
})
