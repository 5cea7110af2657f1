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

export interface DebugSession {
  id: string
  name: string | null
  remoteAddress: string
  state: string
  startedAt: Date
  references: Array<{ id: string; typeid: string; count: number }>
  parkedCalls: number
}

export interface DebugInfo {
  version: number
  address: string
  bootId: string
  uptimeMs: number
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
