// Value and Array: C coercion per typecode, atomic add / compareAndSet under concurrent
// connections, the guarding lock (getLock, and operations waiting while another session holds
// it), raw values, and bad input.
import {
  BadArgumentsError,
  ObjectFreedError,
  RemoteError,
  type ArrayProxy,
  type LockProxy,
  type Manager,
  type ValueProxy,
} from '../client'
import { startHarness } from './helpers/harness'
import { rejectionOf, track } from './helpers/tracking'

describe('Value', () => {
  test("Value('i') wraps at overflow, as a C int", async () => {
    await using h = await startHarness()
    const m = await h.client()
    const v = await m.value('i', 2 ** 31 - 1)
    expect(await v.add(1)).toBe(-(2 ** 31))
    await v.set(2 ** 32 + 5)
    expect(await v.get()).toBe(5)
    await v.set(-(2 ** 31) - 1)
    expect(await v.get()).toBe(2 ** 31 - 1)
    expect(await v.add(2 ** 40 + 1)).toBe(-(2 ** 31)) // a huge addend wraps exactly
  })

  test.each([
    ['b', 127, 1, -128],
    ['B', 255, 1, 0],
    ['B', 0, -1, 255],
    ['h', 32767, 1, -32768],
    ['H', 65535, 2, 1],
    ['I', 2 ** 32 - 1, 1, 0],
    ['l', 2 ** 31 - 1, 1, -(2 ** 31)],
    ['L', 0, -1, 2 ** 32 - 1],
  ] as const)("Value('%s', %d).add(%d) wraps to %d", async (typecode, init, n, expected) => {
    await using h = await startHarness()
    const m = await h.client()
    const v = await m.value(typecode, init)
    expect(await v.add(n)).toBe(expected)
  })

  test("uint8 wraps at 256 and float32 rounds", async () => {
    await using h = await startHarness()
    const m = await h.client()
    const u8 = await m.value('B', 256 + 7)
    expect(await u8.get()).toBe(7)
    const f = await m.value('f', 0.1)
    expect(await f.get()).toBe(Math.fround(0.1))
    expect(await f.get()).not.toBe(0.1)
    expect(await f.add(0.2)).toBe(Math.fround(Math.fround(0.1) + Math.fround(0.2)))
    const d = await m.value('d', 0.1)
    expect(await d.add(0.2)).toBe(0.1 + 0.2)
  })

  test("64-bit typecodes use BigInt and wrap at 2^63 / 2^64", async () => {
    await using h = await startHarness()
    const m = await h.client()
    const q = await m.value('q', 2n ** 63n - 1n)
    expect(await q.get()).toBe(2n ** 63n - 1n)
    expect(await q.add(1)).toBe(-(2n ** 63n))
    await q.set(5) // a number is accepted, a BigInt comes back
    expect(await q.get()).toBe(5n)
    const uq = await m.value('Q', -1)
    expect(await uq.get()).toBe(2n ** 64n - 1n)
    expect(await uq.add(1n)).toBe(0n)
    expect(await (await m.value('q')).get()).toBe(0n)
  })

  test("'c' holds one byte, 'u' one character", async () => {
    await using h = await startHarness()
    const m = await h.client()
    const c = await m.value('c', Buffer.from('x'))
    expect(await c.get()).toEqual(Buffer.from('x'))
    await c.set(Buffer.from([0xff]))
    expect(await c.get()).toEqual(Buffer.from([0xff]))
    expect(await (await m.value('c')).get()).toEqual(Buffer.alloc(1))
    const u = await m.value('u', 'é')
    await u.set('🙂')
    expect(await u.get()).toBe('🙂')
    expect(await u.compareAndSet('🙂', 'z')).toBe(true)
    expect(await u.$getValue()).toBe('z')
  })

  test('add is atomic under 4 concurrent connections doing 1000 increments each', async () => {
    await using h = await startHarness()
    const owner = await h.client()
    const v = await owner.value('i', 0)
    await owner.publish('counter', v)
    const workers = await Promise.all([0, 1, 2, 3].map((i) => h.client({ name: `adder-${i}` })))
    await Promise.all(
      workers.map(async (w) => {
        const c = await w.lookup<ValueProxy<'i'>>('counter')
        await Promise.all(Array.from({ length: 1000 }, () => c.add(1)))
      }),
    )
    expect(await v.get()).toBe(4000)
    await owner.unpublish('counter')
  })

  test('compareAndSet sets only when the value is as expected (after coercion)', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const v = await m.value('f', 0.1)
    expect(await v.compareAndSet(0.2, 1)).toBe(false)
    expect(await v.compareAndSet(0.1, 1)).toBe(true) // 0.1 is compared as a float32 too
    expect(await v.get()).toBe(1)
  })

  test('getLock returns the same guarding Lock every time, and it lives as long as the value', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const v = await m.value('i', 1)
    const l1 = await v.getLock()
    const l2 = await v.getLock()
    expect(l1.$typeid).toBe('Lock')
    expect(l1.$token.id).toBe(l2.$token.id)
    expect(await l1.withLock(async () => (await v.add(1)) && l2.locked())).toBe(true)
    await l1.$release()
    await l2.$release()
    expect(await m.numberOfObjects()).toBe(2) // the value holds its lock
    await v.$release()
    expect(await m.numberOfObjects()).toBe(0)
  })

  test("while another session holds the lock, gets and sets wait; the holder's own go through", async () => {
    await using h = await startHarness()
    const a = await h.client()
    const b = await h.client()
    const v = await a.value('i', 0)
    await a.publish('v', v)
    const vb = await b.lookup<ValueProxy<'i'>>('v')
    await a.unpublish('v')
    const lock = await v.getLock()
    await lock.acquire()
    const read = track(vb.get())
    const write = track(vb.set(100))
    await b.ping()
    expect(read.settled || write.settled).toBe(false)
    // The holder's read-modify-write is not interleaved with B's operations.
    await v.set((await v.get()) + 1)
    await lock.release()
    expect(await read.promise).toBe(1)
    await write.promise
    expect(await v.get()).toBe(100)
    await lock.$release()
  })

  test('lock: false makes a raw value; a given RLock becomes the guard', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const raw = await m.value('d', 1.5, { lock: false })
    expect(await raw.add(1)).toBe(2.5)
    const err = await rejectionOf(raw.getLock())
    expect(err).toBeInstanceOf(RemoteError)
    expect(err).toMatchObject({ code: 'MANAGERD_ERR_REMOTE', remoteName: 'AttributeError' })
    const r = await m.rlock()
    const guarded = await m.value('i', 0, { lock: r })
    const back = (await guarded.getLock()) as unknown as LockProxy
    expect(back.$typeid).toBe('RLock')
    expect(back.$token.id).toBe(r.$token.id)
    await back.$release()
  })

  test('a get waiting for the lock of a Value that is freed rejects with ObjectFreedError', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const b = await h.client()
    const lock = await a.lock()
    const v = await a.value('i', 0, { lock })
    await a.publish('v', v)
    const vb = await b.lookup<ValueProxy<'i'>>('v')
    await a.unpublish('v')
    await lock.acquire()
    const waiting = vb.get()
    await b.ping()
    await vb.$release()
    await v.$release() // the lock lives on (A holds it): only the value is freed
    expect(await rejectionOf(waiting)).toBeInstanceOf(ObjectFreedError)
    await lock.release()
    expect(await lock.acquire({ timeoutMs: 0 })).toBe(true) // the cancelled get left it free
    await lock.release()
  })
})

describe('Array', () => {
  test("Array('d') rounds nothing", async () => {
    await using h = await startHarness()
    const m = await h.client()
    const values = [0.1, 1e308, -0, 2 ** 53 + 2, 5e-324, Math.PI, -1.5, Number.MAX_VALUE]
    const arr = await m.array('d', values)
    expect(await arr.length()).toBe(values.length)
    expect(await arr.slice()).toEqual(values)
    expect(Object.is(await arr.get(2), -0)).toBe(true)
    for (let i = 0; i < values.length; i++) expect(await arr.get(i)).toBe(values[i])
  })

  test("Array('f') rounds, Array('i') wraps, indexes are Python's", async () => {
    await using h = await startHarness()
    const m = await h.client()
    const f = await m.array('f', [0.1, 0.2])
    expect(await f.$getValue()).toEqual([Math.fround(0.1), Math.fround(0.2)])
    const ints = await m.array('i', 3)
    expect(await ints.slice()).toEqual([0, 0, 0])
    await ints.set(-1, 2 ** 31)
    expect(await ints.get(2)).toBe(-(2 ** 31))
    expect(await ints.add(0, 5)).toBe(5)
    expect(await ints.compareAndSet(0, 5, 6)).toBe(true)
    expect(await ints.compareAndSet(0, 5, 7)).toBe(false)
    expect(await ints.slice(-2)).toEqual([0, -(2 ** 31)])
    expect(await ints.slice(0, 1)).toEqual([6])
    const err = await rejectionOf(ints.get(3))
    expect(err).toMatchObject({ code: 'MANAGERD_ERR_REMOTE', remoteName: 'IndexError' })
  })

  test("'c' arrays are bytes, 'u' arrays strings, 'q' arrays BigInts", async () => {
    await using h = await startHarness()
    const m = await h.client()
    const bytes = await m.array('c', Buffer.from('hello'))
    expect(await bytes.get(1)).toEqual(Buffer.from('e'))
    await bytes.set(0, Buffer.from('j'))
    expect(await bytes.slice()).toEqual(Buffer.from('jello'))
    const text = await m.array('u', 'héllo🙂')
    expect(await text.length()).toBe(6)
    expect(await text.get(-1)).toBe('🙂')
    expect(await text.slice(1, 3)).toBe('él')
    const big = await m.array('q', [1, 2n ** 62n])
    expect(await big.slice()).toEqual([1n, 2n ** 62n])
    expect(await big.add(1, 2n ** 62n)).toBe(-(2n ** 63n))
  })

  test('an Array has a guarding Lock (getLock) unless lock: false; while another session holds it, reads wait', async () => {
    await using h = await startHarness()
    const a = await h.client()
    const b = await h.client()
    const arr = await a.array('i', [1, 2, 3])
    const lock = await arr.getLock()
    expect(lock.$typeid).toBe('Lock')
    const again = await arr.getLock()
    expect(again.$token.id).toBe(lock.$token.id)
    await again.$release()
    await a.publish('arr', arr)
    const arrB = await b.lookup<ArrayProxy<'i'>>('arr')
    await a.unpublish('arr')
    await lock.acquire()
    const read = track(arrB.slice())
    await b.ping()
    expect(read.settled).toBe(false)
    await arr.set(0, 10) // the holder's own calls go through
    await lock.release()
    expect(await read.promise).toEqual([10, 2, 3])
    await lock.$release()
    const raw = await a.array('d', 2, { lock: false })
    expect(await raw.add(1, 0.5)).toBe(0.5)
    expect(await rejectionOf(raw.getLock())).toMatchObject({ code: 'MANAGERD_ERR_REMOTE', remoteName: 'AttributeError' })
  })

  test('add on one item is atomic under concurrent connections', async () => {
    await using h = await startHarness()
    const owner = await h.client()
    const arr = await owner.array('I', 2)
    await owner.publish('arr', arr)
    const workers = await Promise.all([0, 1, 2].map(() => h.client()))
    await Promise.all(
      workers.map(async (w) => {
        const a = await w.lookup<ArrayProxy<'I'>>('arr')
        await Promise.all(Array.from({ length: 300 }, (_, i) => a.add(i % 2, 1)))
      }),
    )
    expect(await arr.slice()).toEqual([450, 450])
    await owner.unpublish('arr')
  })
})

describe('bad input to Value and Array', () => {
  test.each([
    ['an unknown typecode', (m: Manager) => m.create('Value', 'x', 1)],
    ['a typecode that is not a string', (m: Manager) => m.create('Value', 5)],
    ["a fraction for 'i'", (m: Manager) => m.value('i', 1.5)],
    ["a string for 'd'", (m: Manager) => m.value('d', '1' as never)],
    ["a boolean for 'i'", (m: Manager) => m.value('i', true as never)],
    ["two bytes for 'c'", (m: Manager) => m.value('c', Buffer.from('ab'))],
    ["a string for 'c'", (m: Manager) => m.value('c', 'a' as never)],
    ["two characters for 'u'", (m: Manager) => m.value('u', 'ab')],
    ["a fraction for 'q'", (m: Manager) => m.value('q', 0.5)],
    ['a lock that is not a lock', async (m: Manager) => m.value('i', 0, { lock: (await m.dict()) as never })],
    ['an unknown option', (m: Manager) => m.value('i', 0, { locked: true } as never)],
    ['set with the wrong kind', async (m: Manager) => (await m.value('i')).set('7' as never)],
    ["add on a 'c' value", async (m: Manager) => (await m.value('c')).add(Buffer.from('a'))],
    ['add with a fraction on an int', async (m: Manager) => (await m.value('i')).add(0.5)],
    ['an Array of negative size', (m: Manager) => m.array('i', -1)],
    ['an Array of absurd size', (m: Manager) => m.array('i', 2 ** 40)],
    ['an Array item of the wrong kind', (m: Manager) => m.array('i', [1, 'two' as never])],
    ['a non-integer Array index', async (m: Manager) => (await m.array('i', 2)).get(0.5)],
    ['an Array init of the wrong kind', (m: Manager) => m.array('i', 'abc' as never)],
  ])('%s: BadArgumentsError', async (_what, call) => {
    await using h = await startHarness()
    const m = await h.client()
    const err = await rejectionOf(call(m))
    expect(err).toBeInstanceOf(BadArgumentsError)
    expect(err.code).toBe('MANAGERD_ERR_BAD_ARGUMENTS')
    expect(err.message.length).toBeGreaterThan(10)
    await m.close()
  })
})
