// One row of the object table: the referent, its type and who holds it.

import type { TypeSpec } from './registry'

/**
 * What a shared type sees of a reference it was handed (a proxy passed as an argument) or holds:
 * the object's id and typeid, and the live referent for use inside the daemon.
 */
export interface SharedRef<T = unknown> {
  readonly id: string
  readonly typeid: string
  /** True until the object is freed. */
  readonly alive: boolean
  /** The referent itself (daemon side only). Throws if the object was freed. */
  deref(): T
}

export class ObjectEntry implements SharedRef {
  /** Everything that holds this object: session references, containers holding it, names. */
  refcount = 0
  /** The part of `refcount` that comes from other objects' holdings (edges of the object graph). */
  internal = 0
  /** Outgoing edges: objects this one holds, with multiplicity. Null until it holds one. */
  holdings: Map<ObjectEntry, number> | null = null
  alive = true

  constructor(
    readonly id: string,
    readonly typeid: string,
    public obj: unknown,
    readonly spec: TypeSpec,
    /** Set once the referent exists (computed from it when the type declares none). */
    public exposed: ReadonlySet<string>,
  ) {}

  deref(): unknown {
    if (!this.alive) throw new Error(`shared object ${this.id} (${this.typeid}) was freed`)
    return this.obj
  }
}

/** A reference decoded from the wire whose id names no live object. */
export class DanglingRef implements SharedRef {
  readonly alive = false
  constructor(
    readonly id: string,
    readonly typeid: string,
  ) {}
  deref(): never {
    throw new Error(`no shared object ${this.id} (${this.typeid})`)
  }
}

// Brand both classes so value walkers can tell a reference from data without instanceof chains.
const sharedRefBrand = Symbol.for('managerd.SharedRef')
for (const cls of [ObjectEntry, DanglingRef]) Object.defineProperty(cls.prototype, sharedRefBrand, { value: true })

export function isSharedRef(v: object): v is SharedRef {
  return (v as { [sharedRefBrand]?: true })[sharedRefBrand] === true
}
