// Token: the name of one shared object, as in managers.py (typeid, address, id).

export interface Token {
  /** Registered type name, e.g. 'dict', 'Queue', 'Counter'. */
  readonly typeid: string
  /** The daemon's advertised URL, e.g. 'ws://127.0.0.1:7400'. */
  readonly address: string
  /** Opaque id, unique for the daemon's lifetime and never reused across restarts. */
  readonly id: string
}

export function isToken(value: unknown): value is Token {
  if (typeof value !== 'object' || value === null) return false
  const t = value as Record<string, unknown>
  return typeof t.typeid === 'string' && typeof t.address === 'string' && typeof t.id === 'string'
}
