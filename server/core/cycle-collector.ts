// Trial deletion (as in CPython's gc and Bacon–Rajan's synchronous cycle collection), over the
// subgraph reachable from candidate objects: an object in that subgraph is garbage when nothing
// outside the subgraph holds it, directly or through a chain of live objects.

import type { ObjectEntry } from './object-entry'

/** The garbage among everything reachable from `roots` (each entry at most once). */
export function collectCycles(roots: readonly ObjectEntry[]): ObjectEntry[] {
  // 1. The subgraph: everything reachable from the roots through holdings.
  const external = new Map<ObjectEntry, number>()
  const stack: ObjectEntry[] = []
  for (const r of roots) {
    if (r.alive && !external.has(r)) {
      external.set(r, r.refcount)
      stack.push(r)
    }
  }
  const order: ObjectEntry[] = []
  while (stack.length > 0) {
    const e = stack.pop()!
    order.push(e)
    if (e.holdings === null) continue
    for (const child of e.holdings.keys()) {
      if (!external.has(child) && child.alive) {
        external.set(child, child.refcount)
        stack.push(child)
      }
    }
  }
  // 2. Subtract the holds that come from inside the subgraph: what is left comes from outside.
  for (const e of order) {
    if (e.holdings === null) continue
    for (const [child, n] of e.holdings) {
      const ext = external.get(child)
      if (ext !== undefined) external.set(child, ext - n)
    }
  }
  // 3. Live: held from outside, or reachable from something that is.
  const live = new Set<ObjectEntry>()
  for (const e of order) {
    if (external.get(e)! > 0 && !live.has(e)) {
      live.add(e)
      stack.push(e)
      while (stack.length > 0) {
        const x = stack.pop()!
        if (x.holdings === null) continue
        for (const child of x.holdings.keys()) {
          if (external.has(child) && !live.has(child)) {
            live.add(child)
            stack.push(child)
          }
        }
      }
    }
  }
  return order.filter((e) => !live.has(e))
}
