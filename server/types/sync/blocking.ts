// How blocking methods take their patience: `{ block, timeoutMs }` or Python's positional
// `(block, timeoutMs)`, and `wait(timeoutMs)`. Timeouts are milliseconds; 0 means "try once";
// none (or null, or Infinity) means "wait until served". Anything else is a clear error.

import { BadArgumentsError, isPlainObject as isPlain } from '../../../protocol'

/** 0: try once; null: wait forever; otherwise the most milliseconds to wait. */
export type Patience = number | null

export interface BlockingCall {
  readonly patience: Patience
  /** The extra options the method allows (e.g. an RLock's `owner`), as given. */
  readonly extra: Readonly<Record<string, unknown>>
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && isPlain(v)
}

/** A timeout in ms: a non-negative number, or null/undefined/Infinity for none. */
export function parseTimeout(method: string, value: unknown): Patience {
  if (value === undefined || value === null || value === Infinity) return null
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new BadArgumentsError(`${method}(): timeoutMs must be a number of milliseconds >= 0 (or null to wait until served), not ${describe(value)}`)
  }
  return value
}

/**
 * Parse `method(options?)` or `method(block?, timeoutMs?)`. `extraKeys` are further options the
 * method accepts in the object form; unknown keys are refused (a misspelt `timeout` must not
 * silently mean "wait forever").
 */
export function parseBlocking(method: string, a: unknown, b: unknown, extraKeys: readonly string[] = []): BlockingCall {
  let block: unknown = true
  let timeout: unknown = b
  const extra: Record<string, unknown> = {}
  if (isPlainObject(a)) {
    if (b !== undefined) throw new BadArgumentsError(`${method}(): pass either an options object or (block, timeoutMs), not both`)
    for (const key of Object.keys(a)) {
      if (key === 'block' || key === 'timeoutMs') continue
      if (!extraKeys.includes(key)) {
        const allowed = ['block', 'timeoutMs', ...extraKeys].join(', ')
        throw new BadArgumentsError(`${method}(): unknown option '${key.slice(0, 50)}' (allowed: ${allowed})`)
      }
      extra[key] = a[key]
    }
    block = a.block ?? true
    timeout = a.timeoutMs
  } else if (a !== undefined && a !== null) {
    block = a
  }
  if (typeof block !== 'boolean') throw new BadArgumentsError(`${method}(): block must be a boolean, not ${describe(block)}`)
  const patience = parseTimeout(method, timeout)
  if (!block) {
    if (patience !== null) throw new BadArgumentsError(`${method}(): a timeout makes no sense for a non-blocking call (block: false)`)
    return { patience: 0, extra }
  }
  return { patience, extra }
}

/** An optional owner label (RLock): a short string, or none. */
export function parseLabel(method: string, value: unknown): string | null {
  if (value === undefined || value === null) return null
  if (typeof value !== 'string' || value.length > 200) {
    throw new BadArgumentsError(`${method}(): owner must be a string of at most 200 characters, not ${describe(value)}`)
  }
  return value
}

/** Options given as an object with only the allowed keys (or nothing). */
export function parseOptions(what: string, value: unknown, keys: readonly string[]): Record<string, unknown> {
  if (value === undefined || value === null) return {}
  if (!isPlainObject(value)) throw new BadArgumentsError(`${what}: options must be an object, not ${describe(value)}`)
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) throw new BadArgumentsError(`${what}: unknown option '${key.slice(0, 50)}' (allowed: ${keys.join(', ')})`)
  }
  return value
}

/** A short description of a bad value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'object') return ArrayBuffer.isView(value) ? `a ${value.constructor.name}` : 'an object'
  return typeof value
}
