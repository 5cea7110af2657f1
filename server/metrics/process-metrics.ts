// prom-client's default metrics (CPU, memory, heap, GC, event-loop lag, handles) belong to the
// process, not to one daemon: one registry per process, made on the first scrape, so processes
// that never serve /metrics (tests with many daemons) start no event-loop monitor.

import { Registry, collectDefaultMetrics } from 'prom-client'

let shared: Registry | undefined

export function processRegistry(): Registry {
  if (shared === undefined) {
    shared = new Registry()
    collectDefaultMetrics({ register: shared })
  }
  return shared
}
