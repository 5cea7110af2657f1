// Shapes returned by the introspection server methods (debugInfo, listTypes).

export interface Holders {
  sessions: Array<{ id: string; count: number }>
  objects: Array<{ id: string; count: number }>
  names: string[]
}

export interface DebugObject {
  id: string
  typeid: string
  refcount: number
  holders: Holders
}

/** Something a session holds in an object beyond a reference: a lock, semaphore permits. */
export interface DebugHold {
  /** The object that granted it (a Condition's own lock is named by the Condition). */
  id: string
  typeid: string
  /** 'lock', 'permits', or what a user type calls it. */
  kind: string
  /** A reentrant lock's depth, a number of permits. */
  count: number
  /** The RLock owner label, when one was given. */
  label: string | null
}

export interface DebugSession {
  id: string
  name: string | null
  remoteAddress: string
  /** 'connected', or 'detached': the connection was lost and the session waits to be resumed. */
  state: string
  startedAt: Date
  /** While detached: when the session ends unless a client resumes it. */
  resumableUntil: Date | null
  references: Array<{ id: string; typeid: string; count: number }>
  /** Locks and permits the session holds. */
  holds: DebugHold[]
  parkedCalls: number
}

/** Counts, cheap to compute: what `managerd status` samples. */
export interface DebugSummary {
  sessions: number
  /** Sessions with a live connection (the rest are detached, waiting to be resumed). */
  connectedSessions: number
  objects: number
  objectsByType: Record<string, number>
  /** Published names. */
  names: number
  parkedCalls: number
  /** Calls dispatched since the daemon started, by target: server methods, object methods. */
  calls: { server: number; object: number }
  /** Replies sent since the daemon started, by kind (#RETURN, #ERROR, …). */
  replies: Record<string, number>
}

/** Arguments of debugInfo: `{ tables: false }` leaves out the per-object and per-session tables. */
export interface DebugInfoOptions {
  tables?: boolean
}

export interface DebugInfo {
  version: number
  address: string
  bootId: string
  uptimeMs: number
  summary: DebugSummary
  /** Empty with `{ tables: false }`, as are `sessions` and `names`. */
  objects: DebugObject[]
  sessions: DebugSession[]
  names: Record<string, string>
}

export interface TypeInfo {
  typeid: string
  creatable: boolean
  /** null until the first object of a type without a declared exposed list exists. */
  exposed: string[] | null
  methodToTypeid: Record<string, string>
}
