// Reporting what could not be encoded, and where: the encoder's slow path after a failure.

import { UnserializableError } from '../errors'
import { isPlainObject } from './classify'

/** Values nested deeper than this are refused: deeper data is almost always a cycle. */
export const MAX_DEPTH = 1000

export function toUnserializable(err: unknown, root: unknown): Error {
  if (err instanceof UnserializableError) {
    const path = findUnencodablePath(root)
    if (path !== undefined && path !== '$') err.message += ` (at ${path})`
    return err
  }
  if (err instanceof RangeError) {
    return new UnserializableError(`cannot encode value: ${err.message}`, { cause: err })
  }
  return err instanceof Error ? err : new UnserializableError(String(err))
}

/** Slow path, run only after a failure: the first path to a value the encoder refuses. */
function findUnencodablePath(root: unknown): string | undefined {
  const seen = new Set<object>()
  const visit = (v: unknown, path: string, depth: number): string | undefined => {
    if (typeof v === 'function' || typeof v === 'symbol') return path
    if (typeof v !== 'object' || v === null) return undefined
    if (depth > MAX_DEPTH || seen.has(v)) return path
    seen.add(v)
    if (isPlainObject(v)) {
      for (const k of Object.keys(v)) {
        const hit = visit((v as Record<string, unknown>)[k], `${path}.${k}`, depth + 1)
        if (hit !== undefined) return hit
      }
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const hit = visit(v[i], `${path}[${i}]`, depth + 1)
        if (hit !== undefined) return hit
      }
    } else if (v instanceof Map) {
      for (const [k, val] of v) {
        const hit = visit(k, `${path}<key>`, depth + 1) ?? visit(val, `${path}.get(${String(k)})`, depth + 1)
        if (hit !== undefined) return hit
      }
    } else if (v instanceof Set) {
      let i = 0
      for (const val of v) {
        const hit = visit(val, `${path}<item ${i++}>`, depth + 1)
        if (hit !== undefined) return hit
      }
    }
    seen.delete(v)
    return undefined
  }
  return visit(root, '$', 0)
}
