// The typed face of proxies: Remote<T> for user types, and interfaces for the built-in types.

import type { Token } from '../protocol'

/** What every proxy has besides its remote methods. */
export interface ProxyControls {
  readonly $token: Token
  readonly $typeid: string
  /** Call any exposed method by name. */
  $call(method: string, ...args: unknown[]): Promise<unknown>
  /** A copy of the referent's value (managers.py `_getvalue()`). */
  $getValue(): Promise<unknown>
  /** The same reference with a per-call timeout in ms (0 = none). */
  $withTimeout(ms: number): this
  /** Give the reference back; the object is freed when nothing else holds it. */
  $release(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

type MethodKeys<T> = {
  [K in keyof T]-?: K extends string
    ? K extends `_${string}` | `$${string}` | 'then' | 'constructor'
      ? never
      : T[K] extends (...args: never[]) => unknown
        ? K
        : never
    : never
}[keyof T]

/** A proxy to a T on the daemon: each public method of T, returning a Promise of its result. */
export type Remote<T> = {
  readonly [K in MethodKeys<T>]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never
} & ProxyControls

/** Batches from an `Iterator` object; `for await` over a container uses it for you. */
export interface IteratorProxy<T> extends ProxyControls {
  next(max?: number): Promise<{ values: T[]; done: boolean }>
}

export interface DictProxy<K = unknown, V = unknown> extends ProxyControls, AsyncIterable<[K, V]> {
  get(key: K): Promise<V | undefined>
  get<D>(key: K, fallback: D): Promise<V | D>
  set(key: K, value: V): Promise<void>
  has(key: K): Promise<boolean>
  delete(key: K): Promise<boolean>
  size(): Promise<number>
  keys(): Promise<K[]>
  values(): Promise<V[]>
  entries(): Promise<Array<[K, V]>>
  /** Remove and return; rejects (KeyError) when missing unless a fallback is given. */
  pop(key: K): Promise<V>
  pop<D>(key: K, fallback: D): Promise<V | D>
  popitem(): Promise<[K, V]>
  setdefault(key: K, fallback: V): Promise<V>
  update(other: Map<K, V> | Array<[K, V]> | Record<string, V>): Promise<void>
  clear(): Promise<void>
  copy(): Promise<Map<K, V>>
  iter(): Promise<IteratorProxy<[K, V]>>
  iterKeys(): Promise<IteratorProxy<K>>
  iterValues(): Promise<IteratorProxy<V>>
  $getValue(): Promise<Map<K, V>>
}

export interface ListProxy<T = unknown> extends ProxyControls, AsyncIterable<T> {
  /** Python indexing: negative counts from the end; IndexError when out of range. */
  get(i: number): Promise<T>
  set(i: number, value: T): Promise<void>
  slice(start?: number | null, end?: number | null): Promise<T[]>
  length(): Promise<number>
  append(value: T): Promise<void>
  extend(values: T[]): Promise<void>
  insert(i: number, value: T): Promise<void>
  pop(i?: number): Promise<T>
  remove(value: T): Promise<void>
  index(value: T, start?: number, end?: number): Promise<number>
  count(value: T): Promise<number>
  includes(value: T): Promise<boolean>
  reverse(): Promise<void>
  sort(options?: { reverse?: boolean }): Promise<void>
  clear(): Promise<void>
  copy(): Promise<T[]>
  iter(): Promise<IteratorProxy<T>>
  $getValue(): Promise<T[]>
}

export interface NamespaceProxy<T extends Record<string, unknown> = Record<string, unknown>> extends ProxyControls {
  /** The attribute; rejects (AttributeError) when unset unless a fallback is given. */
  get<N extends keyof T & string>(name: N): Promise<T[N]>
  get<N extends keyof T & string, D>(name: N, fallback: D): Promise<T[N] | D>
  set<N extends keyof T & string>(name: N, value: T[N]): Promise<void>
  has(name: string): Promise<boolean>
  delete(name: keyof T & string): Promise<void>
  names(): Promise<Array<keyof T & string>>
  getValue(): Promise<Partial<T>>
  $getValue(): Promise<Partial<T>>
}
