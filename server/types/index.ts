// The built-in types. Each family registers itself through the public Registry API.

import type { Registry } from '../core/registry'
import { registerContainers } from './containers'
import { registerQueues } from './queues'
import { registerSync } from './sync'
import { registerValues } from './values'

export function registerBuiltins(registry: Registry): void {
  registerContainers(registry)
  registerSync(registry)
  registerQueues(registry)
  registerValues(registry)
}
