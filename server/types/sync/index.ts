// Registers Lock, RLock, Semaphore, BoundedSemaphore, Condition, Event and Barrier — through the
// same public register() user types use. Exposed lists are explicit: the `$` methods are for the
// types built on these (Condition, Value), never for clients.

import type { Registry } from '../../core/registry'
import { SharedBarrier } from './barrier'
import { SharedCondition } from './condition'
import { SharedEvent } from './event'
import { SharedLock } from './lock'
import { SharedRLock } from './rlock'
import { SharedSemaphore } from './semaphore'

export function registerSync(registry: Registry): void {
  registry.register('Lock', { create: () => new SharedLock(), exposed: ['acquire', 'release', 'locked'] })
  registry.register('RLock', { create: () => new SharedRLock(), exposed: ['acquire', 'release', 'locked'] })
  registry.register('Semaphore', {
    create: (value?: unknown) => new SharedSemaphore(value, false),
    exposed: ['acquire', 'release', 'getValue'],
  })
  registry.register('BoundedSemaphore', {
    create: (value?: unknown) => new SharedSemaphore(value, true),
    exposed: ['acquire', 'release', 'getValue'],
  })
  registry.register('Condition', {
    create: (lock?: unknown) => new SharedCondition(lock),
    exposed: ['acquire', 'release', 'wait', 'notify', 'notifyAll'],
  })
  registry.register('Event', { create: () => new SharedEvent(), exposed: ['isSet', 'set', 'clear', 'wait'] })
  registry.register('Barrier', {
    create: (parties: unknown, options?: unknown) => new SharedBarrier(parties, options),
    exposed: ['wait', 'abort', 'reset', 'parties', 'nWaiting', 'broken'],
  })
}

export { SharedBarrier, SharedCondition, SharedEvent, SharedLock, SharedRLock, SharedSemaphore }
