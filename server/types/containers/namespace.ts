// `Namespace`: named attributes, as multiprocessing's Namespace. Names are data: '__proto__',
// 'constructor' and friends are ordinary attribute names here and touch no prototype.

import { currentHolder, type Holder } from '../../core/call-context'
import { pythonError } from './values'

function checkName(name: unknown): string {
  if (typeof name !== 'string') throw new TypeError('attribute names must be strings')
  return name
}

export class SharedNamespace {
  readonly #attrs = new Map<string, unknown>()
  readonly #holder: Holder

  constructor(init?: Record<string, unknown> | Map<string, unknown>) {
    this.#holder = currentHolder()
    if (init instanceof Map) for (const [k, v] of init) this.set(k, v)
    else if (typeof init === 'object' && init !== null) for (const k of Object.keys(init)) this.set(k, init[k])
  }

  /** The attribute's value; AttributeError when it is not set (unless a fallback is given). */
  get(name: string, ...fallback: [unknown?]): unknown {
    const key = checkName(name)
    if (this.#attrs.has(key)) return this.#attrs.get(key)
    if (fallback.length > 0) return fallback[0]
    throw pythonError('AttributeError', `'Namespace' object has no attribute ${JSON.stringify(key).slice(0, 100)}`)
  }

  set(name: string, value: unknown): void {
    const key = checkName(name)
    const had = this.#attrs.has(key)
    const old = this.#attrs.get(key)
    this.#holder.hold(value)
    this.#attrs.set(key, value)
    if (had) this.#holder.drop(old)
  }

  has(name: string): boolean {
    return this.#attrs.has(checkName(name))
  }

  delete(name: string): void {
    const key = checkName(name)
    if (!this.#attrs.has(key)) throw pythonError('AttributeError', `'Namespace' object has no attribute ${JSON.stringify(key).slice(0, 100)}`)
    const old = this.#attrs.get(key)
    this.#attrs.delete(key)
    this.#holder.drop(old)
  }

  names(): string[] {
    return [...this.#attrs.keys()]
  }

  /** All attributes as a plain object (a copy). */
  getValue(): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const [k, v] of this.#attrs) {
      // defineProperty: '__proto__' stays an own data property of the copy
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true })
    }
    return out
  }
}
