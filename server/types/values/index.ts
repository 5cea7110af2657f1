// Registers Value and Array (sharedctypes) — through the same public register() user types use.

import type { Registry } from '../../core/registry'
import { SharedArray } from './array'
import { SharedValue } from './value'

export function registerValues(registry: Registry): void {
  registry.register('Value', {
    create: (typecode: unknown, init?: unknown, options?: unknown) => new SharedValue(typecode, init, options),
    exposed: ['get', 'set', 'add', 'compareAndSet', 'getLock'],
    getValue: (v: SharedValue) => v.$value(),
  })
  registry.register('Array', {
    create: (typecode: unknown, sizeOrInit: unknown, options?: unknown) => new SharedArray(typecode, sizeOrInit, options),
    exposed: ['get', 'set', 'length', 'slice', 'add', 'compareAndSet', 'getLock'],
    getValue: (a: SharedArray) => a.$value(),
  })
}

export { SharedArray, SharedValue }
export type { Typecode } from './ctypes'
