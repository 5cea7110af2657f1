// The reconnect policy: option parsing, and the backoff (exponential, capped, jittered).
import { DEFAULT_RECONNECT, backoffDelay, reconnectPolicy } from '../reconnect'

describe('reconnectPolicy', () => {
  test('on by default, off with false, options merged over the defaults', () => {
    expect(reconnectPolicy(undefined)).toBe(DEFAULT_RECONNECT)
    expect(reconnectPolicy(true)).toBe(DEFAULT_RECONNECT)
    expect(reconnectPolicy(false)).toBeNull()
    expect(reconnectPolicy({ maxAttempts: 3 })).toEqual({ ...DEFAULT_RECONNECT, maxAttempts: 3 })
    expect(reconnectPolicy({ initialDelayMs: 10_000 })).toMatchObject({ initialDelayMs: 10_000, maxDelayMs: 10_000 })
  })

  test.each([
    [{ initialDelayMs: -5 }, /initialDelayMs must be a number >= 0/],
    [{ maxDelayMs: Number.NaN }, /maxDelayMs must be a number >= 0/],
    [{ maxAttempts: '3' }, /maxAttempts must be a number >= 0/],
    [{ initialDelayMs: 50, maxDelayMs: 10 }, /maxDelayMs must be >= initialDelayMs/],
    [{ retries: 1 }, /unknown reconnect option 'retries'/],
    ['yes', /must be a boolean or an options object/],
  ])('%j is refused', (option, message) => {
    expect(() => reconnectPolicy(option as never)).toThrow(message)
  })
})

describe('backoffDelay', () => {
  const policy = { initialDelayMs: 100, maxDelayMs: 1000, maxAttempts: Infinity, giveUpAfterMs: Infinity }
  const low = (): number => 0
  const high = (): number => 1

  test('the first attempt after a drop is immediate; after a GOAWAY it waits', () => {
    expect(backoffDelay(policy, 0, false, high)).toBe(0)
    expect(backoffDelay(policy, 0, true, low)).toBe(50)
    expect(backoffDelay(policy, 0, true, high)).toBe(100)
  })

  test.each([
    [1, 50, 100],
    [2, 100, 200],
    [3, 200, 400],
    [4, 400, 800],
    [5, 500, 1000], // capped
    [50, 500, 1000],
  ])('attempt %i waits between %i and %i ms (the upper half of the doubled delay)', (n, min, max) => {
    expect(backoffDelay(policy, n, false, low)).toBe(min)
    expect(backoffDelay(policy, n, false, high)).toBe(max)
    const d = backoffDelay(policy, n, false)
    expect(d).toBeGreaterThanOrEqual(min)
    expect(d).toBeLessThanOrEqual(max)
  })
})
