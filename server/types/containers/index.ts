// Registers dict, list, Namespace and Iterator — through the same public register() user types use.

import type { Registry } from '../../core/registry'
import { SharedDict, type DictInit } from './dict'
import { BatchIterator } from './iterator'
import { SharedList } from './list'
import { SharedNamespace } from './namespace'

export function registerContainers(registry: Registry): void {
  registry.register('dict', {
    create: (init?: DictInit) => new SharedDict(init),
    methodToTypeid: { iter: 'Iterator', iterKeys: 'Iterator', iterValues: 'Iterator' },
    getValue: (d: SharedDict) => d.$value(),
  })
  registry.register('list', {
    create: (init?: unknown[]) => new SharedList(init),
    methodToTypeid: { iter: 'Iterator' },
    getValue: (l: SharedList) => l.$value(),
  })
  registry.register('Namespace', {
    create: (init?: Record<string, unknown>) => new SharedNamespace(init),
    getValue: (ns: SharedNamespace) => ns.getValue(),
  })
  // No create: iterators only come from iteration methods.
  registry.register('Iterator', { exposed: ['next'] })
}

export { SharedDict, SharedList, SharedNamespace, BatchIterator }
