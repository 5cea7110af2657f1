// Registers Queue and JoinableQueue — through the same public register() user types use.

import type { Registry } from '../../core/registry'
import { SharedJoinableQueue } from './joinable-queue'
import { SharedQueue } from './queue'

const QUEUE_METHODS = ['put', 'get', 'putNowait', 'getNowait', 'qsize', 'empty', 'full'] as const

export function registerQueues(registry: Registry): void {
  registry.register('Queue', {
    create: (maxsize?: unknown) => new SharedQueue(maxsize),
    exposed: QUEUE_METHODS,
    getValue: (q: SharedQueue) => q.$value(),
  })
  registry.register('JoinableQueue', {
    create: (maxsize?: unknown) => new SharedJoinableQueue(maxsize),
    exposed: [...QUEUE_METHODS, 'taskDone', 'join'],
    getValue: (q: SharedJoinableQueue) => q.$value(),
  })
}

export { SharedJoinableQueue, SharedQueue }
