// The type registry: `registry.register(typeid, { create, exposed, methodToTypeid })`, the one
// path by which built-in and user types become shareable (managers.py `BaseManager.register`).

import { ConfigError, type TypeInfo } from '../../protocol'

/** How a type is made shareable. */
export interface TypeDefinition<T = unknown, A extends unknown[] = never[]> {
  /**
   * Make a new referent from the arguments of `create(typeid, ...args)`. Omit it for types that
   * only come into being as method results (like `Iterator`). May be async.
   */
  create?: (...args: A) => T | Promise<T>
  /**
   * Method names callable remotely. Default: the referent's public methods — functions on it or
   * its prototype chain (below Object.prototype) whose names do not start with `_` or `$`, other
   * than `constructor`; `then` never.
   */
  exposed?: readonly string[]
  /** Methods whose result becomes a new shared object of the given typeid (managers.py). */
  methodToTypeid?: Readonly<Record<string, string>>
  /** What `$getValue()` returns: a copy of the referent's value. Default: the referent itself. */
  getValue?: (obj: T) => unknown
}

/** A registered type, as the dispatcher uses it. */
export interface TypeSpec {
  readonly typeid: string
  readonly create: ((...args: unknown[]) => unknown) | undefined
  readonly declaredExposed: ReadonlySet<string> | undefined
  readonly methodToTypeid: ReadonlyMap<string, string>
  readonly getValue: ((obj: unknown) => unknown) | undefined
  /** Exposed set computed from the first referent when not declared; the same for all instances. */
  exposedCache: ReadonlySet<string> | undefined
}


/** The public face of the registry, handed to `--types` modules. */
export interface Registry {
  register<T, A extends unknown[] = never[]>(typeid: string, definition: TypeDefinition<T, A>): void
  has(typeid: string): boolean
}

const TYPEID = /^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/
const NEVER_EXPOSED = new Set(['then', 'constructor', '__proto__'])

export function checkExposedName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) throw new ConfigError('exposed names must be non-empty strings')
  if (NEVER_EXPOSED.has(name)) throw new ConfigError(`'${name}' can never be exposed`)
  if (name.startsWith('$') || name.startsWith('#')) {
    throw new ConfigError(`'${name}': names starting with '$' or '#' are reserved for proxy controls and the protocol`)
  }
  return name
}

export class TypeRegistry implements Registry {
  readonly #types = new Map<string, TypeSpec>()

  register<T, A extends unknown[] = never[]>(typeid: string, definition: TypeDefinition<T, A>): void {
    if (typeof typeid !== 'string' || !TYPEID.test(typeid)) {
      throw new ConfigError(`invalid typeid ${JSON.stringify(typeid)}: letters, digits, _ . : - (at most 128)`)
    }
    if (this.#types.has(typeid)) throw new ConfigError(`type '${typeid}' is already registered`)
    if (typeof definition !== 'object' || definition === null) throw new ConfigError(`type '${typeid}': definition must be an object`)
    const { create, exposed, methodToTypeid, getValue } = definition
    if (create !== undefined && typeof create !== 'function') throw new ConfigError(`type '${typeid}': create must be a function`)
    if (getValue !== undefined && typeof getValue !== 'function') throw new ConfigError(`type '${typeid}': getValue must be a function`)
    let declared: Set<string> | undefined
    if (exposed !== undefined) {
      if (!Array.isArray(exposed)) throw new ConfigError(`type '${typeid}': exposed must be an array of names`)
      declared = new Set(exposed.map(checkExposedName))
    }
    const m2t = new Map<string, string>()
    for (const [method, target] of Object.entries(methodToTypeid ?? {})) {
      checkExposedName(method)
      if (typeof target !== 'string') throw new ConfigError(`type '${typeid}': methodToTypeid.${method} must be a typeid`)
      m2t.set(method, target)
    }
    this.#types.set(typeid, {
      typeid,
      create: create as TypeSpec['create'],
      declaredExposed: declared,
      methodToTypeid: m2t,
      getValue: getValue as TypeSpec['getValue'],
      exposedCache: declared,
    })
  }

  has(typeid: string): boolean {
    return this.#types.has(typeid)
  }

  get(typeid: string): TypeSpec | undefined {
    return this.#types.get(typeid)
  }

  list(): TypeInfo[] {
    return [...this.#types.values()].map((t) => ({
      typeid: t.typeid,
      creatable: t.create !== undefined,
      exposed: t.exposedCache === undefined ? null : [...t.exposedCache],
      methodToTypeid: Object.fromEntries(t.methodToTypeid),
    }))
  }

  /** The exposed set for a referent of `spec`: declared, or computed once from the first referent. */
  exposedFor(spec: TypeSpec, obj: unknown): ReadonlySet<string> {
    if (spec.exposedCache !== undefined) return spec.exposedCache
    const computed = publicMethods(obj)
    for (const method of spec.methodToTypeid.keys()) computed.add(method)
    spec.exposedCache = computed
    return computed
  }
}

/** managers.py `public_methods`: callable attributes not starting with `_`, here nor `$`. */
export function publicMethods(obj: unknown): Set<string> {
  const names = new Set<string>()
  let o: unknown = obj
  while (o !== null && (typeof o === 'object' || typeof o === 'function') && o !== Object.prototype && o !== Function.prototype) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (names.has(name) || NEVER_EXPOSED.has(name) || name.startsWith('_') || name.startsWith('$') || name.startsWith('#')) continue
      const desc = Object.getOwnPropertyDescriptor(o, name)
      // Only plain function values: a getter is never run to find out.
      if (desc !== undefined && typeof desc.value === 'function') names.add(name)
    }
    o = Object.getPrototypeOf(o)
  }
  return names
}
