// The parked-call machinery of the sync types: FIFO, settled exactly once, timeouts (also past
// setTimeout's 2^31-1 ms limit), aborts from any of several signals, and cleanup of listeners.
import { Lifetime, WaitQueue } from '../types/sync/waiters'
import { parseBlocking, parseTimeout } from '../types/sync/blocking'

afterEach(() => jest.useRealTimers())

describe('WaitQueue', () => {
  test('waiters are served first come, first served, and settle once', async () => {
    const q = new WaitQueue<string, number>()
    const signal = new AbortController().signal
    const a = q.park(1, { signals: [signal], timeoutMs: null, onTimeout: () => {} })
    const b = q.park(2, { signals: [signal], timeoutMs: null, onTimeout: () => {} })
    expect(q.size).toBe(2)
    expect(q.first()).toBe(a)
    expect(a.resolve('x')).toBe(true)
    expect(a.resolve('y')).toBe(false)
    expect(a.reject(new Error('late'))).toBe(false)
    expect(q.first()).toBe(b)
    expect(q.size).toBe(1)
    b.reject(new Error('no'))
    expect(q.size).toBe(0)
    await expect(a.promise).resolves.toBe('x')
    await expect(b.promise).rejects.toThrow('no')
  })

  test('a timeout takes the waiter out of the queue and lets the owner settle it', async () => {
    jest.useFakeTimers()
    const q = new WaitQueue<boolean>()
    const w = q.park(undefined, { signals: [], timeoutMs: 100, onTimeout: (x) => x.resolve(false) })
    jest.advanceTimersByTime(99)
    expect(w.settled).toBe(false)
    jest.advanceTimersByTime(1)
    expect(w.settled).toBe(true)
    expect(q.size).toBe(0)
    await expect(w.promise).resolves.toBe(false)
  })

  test('a timeout longer than setTimeout allows re-arms until its deadline', async () => {
    jest.useFakeTimers()
    const q = new WaitQueue<boolean>()
    const days30 = 30 * 24 * 3600 * 1000
    const w = q.park(undefined, { signals: [], timeoutMs: days30, onTimeout: (x) => x.resolve(false) })
    jest.advanceTimersByTime(2 ** 31 - 1)
    expect(w.settled).toBe(false)
    jest.advanceTimersByTime(days30 - (2 ** 31 - 1))
    expect(w.settled).toBe(true)
  })

  test('any signal aborting rejects with its reason, calls onAbort, and removes every listener', async () => {
    const caller = new AbortController()
    const life = new Lifetime()
    const q = new WaitQueue<number>()
    const aborted: unknown[] = []
    const w = q.park(undefined, { signals: [caller.signal, life.signal], timeoutMs: null, onTimeout: () => {}, onAbort: (x) => aborted.push(x) })
    const other = q.park(undefined, { signals: [caller.signal], timeoutMs: null, onTimeout: () => {} })
    other.resolve(1)
    life.end(new RangeError('freed'))
    await expect(w.promise).rejects.toThrow(RangeError)
    expect(aborted).toEqual([w])
    expect(q.size).toBe(0)
    caller.abort(new Error('later'))
    expect(aborted).toHaveLength(1) // settled waiters no longer listen
  })

  test('a signal aborted before parking gives the call up at once, without queueing it', async () => {
    const c = new AbortController()
    c.abort(new Error('gone'))
    const q = new WaitQueue<number>()
    let onAbort = 0
    const w = q.park(undefined, { signals: [c.signal], timeoutMs: null, onTimeout: () => {}, onAbort: () => onAbort++ })
    expect(q.size).toBe(0)
    await expect(w.promise).rejects.toThrow('gone')
    expect(onAbort).toBe(1)
  })

  test('drain empties the queue in order, also with thousands of waiters on one Lifetime', () => {
    const life = new Lifetime()
    const q = new WaitQueue<number, number>()
    const all = Array.from({ length: 2000 }, (_, i) => q.park(i, { signals: [life.signal], timeoutMs: null, onTimeout: () => {} }))
    const drained = q.drain()
    expect(drained.map((w) => w.data)).toEqual(all.map((_, i) => i))
    expect(q.size).toBe(0)
    for (const w of drained) w.resolve(0)
  })
})

describe('blocking arguments', () => {
  test.each([
    [[], null],
    [[{}], null],
    [[true], null],
    [[false], 0],
    [[{ block: false }], 0],
    [[{ timeoutMs: 0 }], 0],
    [[{ timeoutMs: 250 }], 250],
    [[true, 250], 250],
    [[undefined, 250], 250],
    [[{ timeoutMs: null }], null],
    [[{ timeoutMs: Infinity }], null],
  ] as Array<[unknown[], number | null]>)('%j waits %p', (args, patience) => {
    expect(parseBlocking('get', args[0], args[1]).patience).toBe(patience)
  })

  test.each([
    [[{ timeout: 5 }], /unknown option 'timeout'/],
    [['yes'], /block must be a boolean/],
    [[false, 10], /non-blocking/],
    [[{ timeoutMs: -1 }], /timeoutMs must be/],
    [[{ timeoutMs: NaN }], /timeoutMs must be/],
    [[{ timeoutMs: '5' }], /timeoutMs must be/],
    [[{}, 5], /either an options object/],
  ] as Array<[unknown[], RegExp]>)('%j is refused', (args, message) => {
    expect(() => parseBlocking('get', args[0], args[1])).toThrow(message)
    try {
      parseBlocking('get', args[0], args[1])
    } catch (err) {
      expect(err).toMatchObject({ code: 'MANAGERD_ERR_BAD_ARGUMENTS' })
    }
  })

  test('owner labels are allowed only where declared', () => {
    expect(parseBlocking('acquire', { owner: 'a' }, undefined, ['owner']).extra).toEqual({ owner: 'a' })
    expect(() => parseBlocking('acquire', { owner: 'a' }, undefined)).toThrow(/unknown option 'owner'/)
    expect(parseTimeout('wait', undefined)).toBeNull()
  })
})
