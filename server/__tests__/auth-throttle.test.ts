// The throttle's arithmetic, with the clock passed in: answers from an address with failures wait
// a doubling delay, one after another; a success clears it; other addresses never wait.
import { AuthThrottle } from '../transport/auth-throttle'

/** How long an answer arriving at `now` is held (-1: refused unchecked). */
const waitOf = (t: AuthThrottle, address: string, now: number): number => t.admit(address, now)?.waitMs ?? -1

describe('AuthThrottle', () => {
  test('an address without failures is checked at once', () => {
    const t = new AuthThrottle(100)
    expect(t.admit('a', 0)).toEqual({ waitMs: 0, attempt: 0 })
    expect(t.admit('a', 0)).toEqual({ waitMs: 0, attempt: 0 })
  })

  test('each failure doubles the wait before the next answer is checked, up to 10 s', () => {
    const t = new AuthThrottle(100)
    let now = 0
    const waits: number[] = []
    const delays: number[] = []
    for (let i = 0; i < 10; i++) {
      const { waitMs, attempt } = t.admit('a', now)!
      waits.push(waitMs)
      now += waitMs // the answer is checked after its wait…
      delays.push(t.failure('a', attempt, now)) // …and fails
    }
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000])
    expect(waits).toEqual([0, ...delays.slice(0, -1)])
  })

  test('answers arriving together are spaced out one after another, and past 10 s refused unchecked', () => {
    const t = new AuthThrottle(100)
    t.failure('a', 0, 0)
    // six answers at the same instant: each waits for the one before it, each delay doubling
    const admitted = [1, 2, 3, 4, 5, 6].map(() => t.admit('a', 0)!)
    expect(admitted.map((a) => a.waitMs)).toEqual([100, 300, 700, 1500, 3100, 6300])
    expect(admitted.map((a) => t.failure('a', a.attempt, a.waitMs))).toEqual([200, 400, 800, 1600, 3200, 6400])
    expect(t.admit('a', 0)).toBeNull() // 12.7 s away: refused without being checked
  })

  test('a right answer waits like a wrong one, then clears the record', () => {
    const t = new AuthThrottle(100)
    t.failure('a', 0, 0)
    const second = t.admit('a', 10)!
    t.failure('a', second.attempt, 100)
    expect(waitOf(t, 'a', 150)).toBe(150) // the right key: held until 300 ms, as a wrong one would be
    t.success('a')
    expect(waitOf(t, 'a', 400)).toBe(0)
    expect(t.failure('a', 0, 400)).toBe(100)
  })

  test('other addresses are never slowed', () => {
    const t = new AuthThrottle(100)
    for (let i = 0; i < 5; i++) t.failure('a', t.admit('a', 0)!.attempt, 0)
    expect(waitOf(t, 'b', 0)).toBe(0)
    expect(t.failure('b', 0, 0)).toBe(100)
  })

  test('a quiet minute forgets an address', () => {
    const t = new AuthThrottle(100)
    t.failure('a', 0, 0)
    expect(waitOf(t, 'a', 61_000)).toBe(0)
  })

  test('a base delay of 0 turns throttling off', () => {
    const t = new AuthThrottle(0)
    for (let i = 0; i < 5; i++) expect(t.failure('a', t.admit('a', 0)!.attempt, 0)).toBe(0)
    expect(waitOf(t, 'a', 0)).toBe(0)
  })

  test('a flood of addresses is bounded', () => {
    const t = new AuthThrottle(100)
    for (let i = 0; i < 25_000; i++) t.failure(`10.0.${i >> 8}.${i & 255}`, 0, 0)
    expect(t.size).toBeLessThanOrEqual(10_000)
  })
})
