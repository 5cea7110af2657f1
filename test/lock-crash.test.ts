// A lock held by a client process that is killed (SIGKILL: no goodbye, no release) is given to
// the next waiter once the session's grace period is over, and the daemon says so in its log.
import { join } from 'node:path'
import { eventually, startHarness } from './helpers/harness'
import { spawnClient } from './helpers/client-process'
import { track } from './helpers/tracking'

test('a lock held by a SIGKILLed client process is released after the grace period, and logged', async () => {
  await using h = await startHarness({ sessionGraceMs: 300 })
  const waiter = await h.client({ name: 'waiter' })
  const lock = await waiter.lock()
  await waiter.publish('crash-lock', lock)
  await using holder = spawnClient(join(__dirname, 'fixtures/hold-lock.js'), h.address, { LOCK_NAME: 'crash-lock' })
  const said = (await holder.nextLine()) as { acquired: boolean; session: string }
  expect(said.acquired).toBe(true)
  expect(await lock.locked()).toBe(true)
  const acquired = track(lock.acquire())
  await waiter.ping()
  expect(acquired.settled).toBe(false)

  holder.child.kill('SIGKILL')
  expect((await holder.exited).signal).toBe('SIGKILL')
  expect(await acquired.promise).toBe(true)

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
  await eventually(() => h.daemon.core.sessions.size === 1, 5000, 'only the waiter left')
})

