// When to try again after a link drops: exponential backoff with jitter, bounded by a number of
// attempts and by the time spent down. The `reconnect` option of connect() becomes a policy here.

export interface ReconnectOptions {
  /** The base delay: before the second attempt (and before the first after a GOAWAY). Default 100 ms. */
  initialDelayMs?: number
  /** The longest delay between two attempts. Default 5000 ms. */
  maxDelayMs?: number
  /** Give up after this many failed attempts in a row. Default: no limit. */
  maxAttempts?: number
  /** Give up once the link has been down this long. Default: no limit. */
  giveUpAfterMs?: number
}

export interface ReconnectPolicy {
  readonly initialDelayMs: number
  readonly maxDelayMs: number
  readonly maxAttempts: number
  readonly giveUpAfterMs: number
}

export const DEFAULT_RECONNECT: ReconnectPolicy = Object.freeze({
  initialDelayMs: 100,
  maxDelayMs: 5000,
  maxAttempts: Infinity,
  giveUpAfterMs: Infinity,
})

/** The policy for a `reconnect` option: null when reconnecting is off. */
export function reconnectPolicy(option: boolean | ReconnectOptions | undefined): ReconnectPolicy | null {
  if (option === false) return null
  if (option === undefined || option === true) return DEFAULT_RECONNECT
  if (typeof option !== 'object' || option === null) throw new TypeError('reconnect must be a boolean or an options object')
  const known = new Set(['initialDelayMs', 'maxDelayMs', 'maxAttempts', 'giveUpAfterMs'])
  for (const key of Object.keys(option)) if (!known.has(key)) throw new TypeError(`unknown reconnect option '${key}'`)
  const policy = {
    initialDelayMs: option.initialDelayMs ?? DEFAULT_RECONNECT.initialDelayMs,
    maxDelayMs: option.maxDelayMs ?? Math.max(DEFAULT_RECONNECT.maxDelayMs, option.initialDelayMs ?? 0),
    maxAttempts: option.maxAttempts ?? DEFAULT_RECONNECT.maxAttempts,
    giveUpAfterMs: option.giveUpAfterMs ?? DEFAULT_RECONNECT.giveUpAfterMs,
  }
  for (const [key, value] of Object.entries(policy)) {
    if (typeof value !== 'number' || !(value >= 0)) throw new TypeError(`reconnect.${key} must be a number >= 0`)
  }
  if (policy.maxDelayMs < policy.initialDelayMs) throw new TypeError('reconnect.maxDelayMs must be >= initialDelayMs')
  return Object.freeze(policy)
}

/**
 * The delay before attempt `n` (0-based) of a reconnect. The first attempt after a plain drop
 * is immediate (a resume is most likely right away); after a GOAWAY, or when links keep dying
 * young (`n` carries over), it waits. Then the delay doubles up to maxDelayMs, and each delay is
 * drawn from its upper half so that many clients dropped at once do not come back in step.
 */
export function backoffDelay(policy: ReconnectPolicy, n: number, afterGoaway: boolean, random: () => number = Math.random): number {
  if (n === 0 && !afterGoaway) return 0
  const exp = Math.max(0, n - 1)
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(exp, 30))
  return Math.round(base / 2 + (base / 2) * random())
}
