// The built-in types. Each family registers itself through the public Registry API.

import type { Registry } from '../core/registry'
import { registerContainers } from './containers'

export function registerBuiltins(registry: Registry): void {
  registerContainers(registry)
}
