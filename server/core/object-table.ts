// The object table: id → entry, reference counts, holdings between objects and release.
// An object lives while something holds it (a session, another object, a name); at zero it is
// freed at the end of the current turn — after the replies of this turn are encoded, so a method
// that removes a reference and returns it (list.pop) hands it over instead of freeing it — and
// what it held is released in cascade. Cycles among objects are found by trial deletion
// (cycle-collector.ts) over the objects that only other objects still hold.

import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import { isPlainObject } from '../../protocol'
import { collectCycles } from './cycle-collector'
import { ObjectEntry, isSharedRef, type SharedRef } from './object-entry'
import type { TypeSpec } from './registry'

export class ObjectTable {
  readonly #entries = new Map<string, ObjectEntry>()
  /** Per-boot random prefix: an id can never name an object of an earlier daemon. */
  readonly #bootId = randomBytes(6).toString('base64url')
  #nextId = 0
  /** Objects whose count dropped while other objects still hold them: possible garbage cycles. */
  readonly #candidates = new Set<ObjectEntry>()
  /** Objects whose count reached zero this turn; freed by sweep() unless held again by then. */
  #doomed: ObjectEntry[] = []
  #sweepScheduled = false
  readonly #log: Logger | undefined
  /** Called after an entry is freed (metrics, waiters). */
  onFree: ((entry: ObjectEntry) => void) | undefined

  constructor(log?: Logger) {
    this.#log = log
  }

  get size(): number {
    return this.#entries.size
  }

  get bootId(): string {
    return this.#bootId
  }

  /** Add a referent. It starts with no holder: the caller counts one at once. */
  add(obj: unknown, spec: TypeSpec, exposed: ReadonlySet<string>): ObjectEntry {
    const id = `${this.#bootId}.${(this.#nextId++).toString(36)}`
    const entry = new ObjectEntry(id, spec.typeid, obj, spec, exposed)
    this.#entries.set(id, entry)
    return entry
  }

  get(id: string): ObjectEntry | undefined {
    return this.#entries.get(id)
  }

  entries(): IterableIterator<ObjectEntry> {
    return this.#entries.values()
  }

  incref(entry: ObjectEntry, n = 1): void {
    entry.refcount += n
  }

  /** Drop `n` holds. At zero the object is freed at the end of the turn, with what only it held. */
  decref(entry: ObjectEntry, n = 1): void {
    if (!entry.alive) return
    entry.refcount -= n
    if (entry.refcount <= 0) {
      this.#doomed.push(entry)
      if (!this.#sweepScheduled) {
        this.#sweepScheduled = true
        setImmediate(this.#sweepSoon)
      }
    } else if (entry.internal > 0) {
      this.#candidates.add(entry)
    }
  }

  readonly #sweepSoon = (): void => {
    this.#sweepScheduled = false
    this.sweep()
  }

  /** Free the objects whose count reached zero and stayed there. */
  sweep(): void {
    if (this.#doomed.length === 0) return
    const doomed = this.#doomed
    this.#doomed = []
    const dead = [...new Set(doomed)].filter((e) => e.alive && e.refcount <= 0)
    if (dead.length > 0) this.#free(dead)
  }

  /** Free an entry nobody came to hold (its creator went away before the reply, or create failed). */
  freeIfUnheld(entry: ObjectEntry): void {
    if (entry.alive && entry.refcount <= 0) this.#free([entry])
  }

  /**
   * Count every reference inside `value` as held by `holder` (a container storing the value).
   * All or nothing: a value holding a reference to a freed object is refused whole.
   */
  hold(holder: ObjectEntry, value: unknown): void {
    if (typeof value !== 'object' || value === null) return
    let refs: SharedRef[] | null = null
    walkRefs(value, (ref) => (refs ??= []).push(ref))
    if (refs === null) return
    for (const ref of refs as SharedRef[]) {
      if (!(ref instanceof ObjectEntry) || !ref.alive) {
        throw new TypeError(`cannot store a reference to ${ref.id}: the object no longer exists`)
      }
    }
    const holdings = holder.holdings ?? (holder.holdings = new Map())
    for (const ref of refs as ObjectEntry[]) {
      holdings.set(ref, (holdings.get(ref) ?? 0) + 1)
      ref.internal++
      ref.refcount++
    }
  }

  /** Release the references inside `value` that `holder` held (the value left the container). */
  drop(holder: ObjectEntry, value: unknown): void {
    const holdings = holder.holdings
    if (holdings === null || holdings.size === 0 || typeof value !== 'object' || value === null) return
    const released: ObjectEntry[] = []
    walkRefs(value, (ref) => {
      if (!(ref instanceof ObjectEntry)) return
      const n = holdings.get(ref)
      if (n === undefined) return
      if (n === 1) holdings.delete(ref)
      else holdings.set(ref, n - 1)
      ref.internal--
      released.push(ref)
    })
    for (const ref of released) this.decref(ref)
  }

  /** Sweep, then free garbage cycles found since the last run. Cheap when there are none. */
  collect(): number {
    this.sweep()
    if (this.#candidates.size === 0) return 0
    const roots = [...this.#candidates]
    this.#candidates.clear()
    const garbage = collectCycles(roots)
    const freed = garbage.length
    if (freed > 0) this.#free(garbage, true)
    return freed
  }

  /** Free entries (and cascade). Iterative, so a 100 000-long chain cannot overflow the stack. */
  #free(start: ObjectEntry[], cycle = false): void {
    const work = [...start]
    const dying = new Set<ObjectEntry>(start)
    for (const e of start) e.alive = false
    while (work.length > 0) {
      const entry = work.pop()!
      this.#entries.delete(entry.id)
      this.#candidates.delete(entry)
      const holdings = entry.holdings
      entry.holdings = null
      if (holdings !== null) {
        for (const [child, n] of holdings) {
          child.internal -= n
          if (dying.has(child)) continue
          child.refcount -= n
          if (child.refcount <= 0 && child.alive) {
            child.alive = false
            dying.add(child)
            work.push(child)
          } else if (child.internal > 0) {
            this.#candidates.add(child)
          }
        }
      }
      this.#dispose(entry, cycle)
    }
  }

  #dispose(entry: ObjectEntry, cycle: boolean): void {
    const obj = entry.obj as { [Symbol.asyncDispose]?: () => unknown; [Symbol.dispose]?: () => unknown } | null
    entry.obj = undefined
    this.onFree?.(entry)
    if (cycle) this.#log?.debug({ id: entry.id, typeid: entry.typeid }, 'freed object in a reference cycle')
    if (obj === null || typeof obj !== 'object') return
    try {
      const dispose = obj[Symbol.asyncDispose] ?? obj[Symbol.dispose]
      if (typeof dispose !== 'function') return
      const result = dispose.call(obj)
      if (result instanceof Promise) {
        result.catch((err: unknown) => this.#log?.warn({ err, id: entry.id, typeid: entry.typeid }, 'dispose of a freed object failed'))
      }
    } catch (err) {
      this.#log?.warn({ err, id: entry.id, typeid: entry.typeid }, 'dispose of a freed object failed')
    }
  }
}

/** Visit every SharedRef inside a value: arrays, plain objects, Maps and Sets are walked. */
export function walkRefs(value: object, visit: (ref: SharedRef) => void): void {
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const v = stack.pop()
    if (typeof v !== 'object' || v === null) continue
    if (isSharedRef(v)) {
      visit(v)
      continue
    }
    if (Array.isArray(v)) {
      const arr = v as unknown[]
      for (let i = 0; i < arr.length; i++) {
        const item = arr[i]
        if (typeof item === 'object' && item !== null) stack.push(item)
      }
    } else if (isPlainObject(v as object)) {
      for (const k of Object.keys(v as object)) {
        const item = (v as Record<string, unknown>)[k]
        if (typeof item === 'object' && item !== null) stack.push(item)
      }
    } else if (v instanceof Map) {
      for (const [k, item] of v as Map<unknown, unknown>) {
        if (typeof k === 'object' && k !== null) stack.push(k)
        if (typeof item === 'object' && item !== null) stack.push(item)
      }
    } else if (v instanceof Set) {
      for (const item of v as Set<unknown>) if (typeof item === 'object' && item !== null) stack.push(item)
    }
  }
}

