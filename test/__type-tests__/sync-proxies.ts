// Type tests for the typed helpers of queues, locks and values: checked by `npm run typecheck`
// (tsc --noEmit), never run. Each @ts-expect-error line must fail to compile.
import type { Manager } from '../../client'

declare const m: Manager
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
function assertType<T extends true>(): T | undefined {
  return undefined
}

export async function typeTests(): Promise<void> {
  const q = await m.queue<{ n: number }>(10)
  assertType<Equal<Awaited<ReturnType<typeof q.get>>, { n: number }>>()
  await q.put({ n: 1 }, { timeoutMs: 5 })
  await q.put({ n: 1 }, true, 5)
  // @ts-expect-error: items are typed
  await q.put('x')
  // @ts-expect-error: the option is timeoutMs
  await q.get({ timeout: 5 })

  const jq = await m.joinableQueue<string>()
  await jq.taskDone()
  await jq.join()

  const i = await m.value('i', 1)
  assertType<Equal<Awaited<ReturnType<typeof i.get>>, number>>()
  const q64 = await m.value('q', 1n)
  assertType<Equal<Awaited<ReturnType<typeof q64.add>>, bigint>>()
  await q64.set(5) // numbers are accepted for 64-bit types
  const c = await m.value('c', Buffer.from('x'))
  assertType<Equal<Awaited<ReturnType<typeof c.get>>, Buffer>>()
  // @ts-expect-error: 'c' holds bytes
  await m.value('c', 'x')
  // @ts-expect-error: not a typecode
  await m.value('z', 1)
  // @ts-expect-error: 'i' holds numbers
  await i.set(1n)

  const arr = await m.array('u', 'hello')
  assertType<Equal<Awaited<ReturnType<typeof arr.slice>>, string>>()
  const nums = await m.array('d', [0.5, 1.5])
  assertType<Equal<Awaited<ReturnType<typeof nums.slice>>, number[]>>()
  const bytes = await m.array('c', Buffer.from('ab'))
  assertType<Equal<Awaited<ReturnType<typeof bytes.$getValue>>, Buffer>>()

  const lock = await i.getLock()
  const n: number = await lock.withLock(async () => 5)
  const r = await m.rlock()
  await r.withLock(() => n, { owner: 'task' })
  // @ts-expect-error: a Lock has no owner labels
  await lock.withLock(() => n, { owner: 'task' })
  const cond = await m.condition(r)
  const ok: boolean = await cond.waitFor(async () => (await i.get()) > 3, 1000)
  const b = await m.barrier(3, { action: { target: q, method: 'put', args: [{ n: 0 }] }, timeoutMs: ok ? 5 : null })
  assertType<Equal<Awaited<ReturnType<typeof b.wait>>, number>>()
  const s = await m.boundedSemaphore(2)
  await s.release(2)
  const e = await m.event()
  assertType<Equal<Awaited<ReturnType<typeof e.wait>>, boolean>>()
}
