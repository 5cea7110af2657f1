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

/** How long a blocking call may wait: `timeoutMs` 0 tries once; none (or null) waits until served. */
export interface BlockingOptions {
  /** false: try once (like timeoutMs 0). Default true. */
  block?: boolean
  timeoutMs?: number | null
}

/** RLock (and Condition) calls may name the task of the session that owns the lock. */
export interface OwnerOption {
  owner?: string
}

export interface WithLockOptions extends OwnerOption {
  /** Give up (CallTimeoutError, fn not run) if the lock is not acquired in time. */
  timeoutMs?: number | null
}

export interface QueueProxy<T = unknown> extends ProxyControls {
  /** Rejects with QueueFull when there is no room in time (at once with `block: false`). */
  put(item: T, options?: BlockingOptions): Promise<void>
  put(item: T, block: boolean, timeoutMs?: number | null): Promise<void>
  /** Rejects with QueueEmpty when nothing comes in time (at once with `block: false`). */
  get(options?: BlockingOptions): Promise<T>
  get(block: boolean, timeoutMs?: number | null): Promise<T>
  putNowait(item: T): Promise<void>
  getNowait(): Promise<T>
  qsize(): Promise<number>
  empty(): Promise<boolean>
  full(): Promise<boolean>
  $getValue(): Promise<T[]>
}

export interface JoinableQueueProxy<T = unknown> extends QueueProxy<T> {
  /** One item taken by get() is done; rejects (ValueError) when called more often than put. */
  taskDone(): Promise<void>
  /** Resolves once every item put so far is done. */
  join(): Promise<void>
}

export interface LockProxy extends ProxyControls {
  /** True once held; false if not acquired in time. */
  acquire(options?: BlockingOptions): Promise<boolean>
  acquire(block: boolean, timeoutMs?: number | null): Promise<boolean>
  /** Rejects (RuntimeError) unless this session holds it. */
  release(): Promise<void>
  locked(): Promise<boolean>
  /** Acquire, run `fn`, release — also when `fn` throws (Python's `with lock:`). */
  withLock<R>(fn: () => R | Promise<R>, options?: Omit<WithLockOptions, 'owner'>): Promise<R>
}

export interface RLockProxy extends ProxyControls {
  acquire(options?: BlockingOptions & OwnerOption): Promise<boolean>
  acquire(block: boolean, timeoutMs?: number | null): Promise<boolean>
  /** One level; rejects (RuntimeError) unless this owner (session + label) holds it. */
  release(options?: OwnerOption): Promise<void>
  locked(): Promise<boolean>
  withLock<R>(fn: () => R | Promise<R>, options?: WithLockOptions): Promise<R>
}

export interface SemaphoreProxy extends ProxyControls {
  acquire(options?: BlockingOptions): Promise<boolean>
  acquire(block: boolean, timeoutMs?: number | null): Promise<boolean>
  /** Give back `n` permits; a BoundedSemaphore rejects (ValueError) going above its initial value. */
  release(n?: number): Promise<void>
  /** Permits available now. */
  getValue(): Promise<number>
  withLock<R>(fn: () => R | Promise<R>, options?: Omit<WithLockOptions, 'owner'>): Promise<R>
}

export interface ConditionProxy extends ProxyControls {
  acquire(options?: BlockingOptions & OwnerOption): Promise<boolean>
  acquire(block: boolean, timeoutMs?: number | null): Promise<boolean>
  release(options?: OwnerOption): Promise<void>
  /** Release the lock, wait for a notify, take the lock back: true if notified, false on timeout. */
  wait(timeoutMs?: number | null): Promise<boolean>
  wait(options: { timeoutMs?: number | null } & OwnerOption): Promise<boolean>
  notify(n?: number): Promise<void>
  notifyAll(): Promise<void>
  /** Python's wait_for: wait until `predicate()` is truthy (or the time runs out); its last result. */
  waitFor<R>(predicate: () => R | Promise<R>, timeoutMs?: number | null, options?: OwnerOption): Promise<R>
  withLock<R>(fn: () => R | Promise<R>, options?: WithLockOptions): Promise<R>
}

export interface EventProxy extends ProxyControls {
  isSet(): Promise<boolean>
  set(): Promise<void>
  clear(): Promise<void>
  /** True once set; false if the time ran out first. */
  wait(timeoutMs?: number | null): Promise<boolean>
}

export interface BarrierOptions {
  /** Run by the last party to arrive, before any is released: a method of a shared object. */
  action?: { target: ProxyControls; method: string; args?: unknown[] }
  /** Default timeout of wait(); a timeout breaks the barrier. */
  timeoutMs?: number | null
}

export interface BarrierProxy extends ProxyControls {
  /** This party's index (0 … parties-1) once all arrived; BrokenBarrierError if it breaks. */
  wait(timeoutMs?: number | null): Promise<number>
  abort(): Promise<void>
  reset(): Promise<void>
  parties(): Promise<number>
  nWaiting(): Promise<number>
  broken(): Promise<boolean>
}

/** sharedctypes typecodes. 'l'/'L' are 32-bit on every platform; 'q'/'Q' are 64-bit (BigInt). */
export type Typecode = 'b' | 'B' | 'h' | 'H' | 'i' | 'I' | 'l' | 'L' | 'q' | 'Q' | 'f' | 'd' | 'c' | 'u'

/** What a typecode holds: a number, a BigInt ('q', 'Q'), a 1-byte Buffer ('c') or a 1-character string ('u'). */
export type CValueOf<C extends Typecode> = C extends 'q' | 'Q' ? bigint : C extends 'c' ? Buffer : C extends 'u' ? string : number

/** What a typecode accepts: for 64-bit types a number too, for 'c' any 1-byte Uint8Array. */
export type CInputOf<C extends Typecode> = C extends 'q' | 'Q' ? bigint | number : C extends 'c' ? Uint8Array : C extends 'u' ? string : number

/** An Array's initial items: values of its type, or for 'c' a Buffer of bytes, for 'u' a string. */
export type CArrayInit<C extends Typecode> = ArrayLike<CInputOf<C>> | (C extends 'c' ? Uint8Array : C extends 'u' ? string : never)

/** An Array's slice: an array of numbers/BigInts, a Buffer for 'c', a string for 'u'. */
export type CSliceOf<C extends Typecode> = C extends 'c' ? Buffer : C extends 'u' ? string : Array<CValueOf<C>>

export interface ValueOptions {
  /** true (default): guarded by a new Lock; false: raw; or this Lock / RLock. */
  lock?: boolean | LockProxy | RLockProxy
}

export interface ValueProxy<C extends Typecode = Typecode> extends ProxyControls {
  get(): Promise<CValueOf<C>>
  set(value: CInputOf<C>): Promise<void>
  /** Atomic: add `n` (default 1), wrapping or rounding as C does; the new value. */
  add(n?: CInputOf<C>): Promise<CValueOf<C>>
  /** Atomic: set `next` if the value equals `expected`; true if it did. */
  compareAndSet(expected: CInputOf<C>, next: CInputOf<C>): Promise<boolean>
  /** The Lock guarding it (the same one every time); rejects (AttributeError) with `lock: false`. */
  getLock(): Promise<LockProxy>
  $getValue(): Promise<CValueOf<C>>
}

export interface ArrayProxy<C extends Typecode = Typecode> extends ProxyControls {
  /** Python indexing: negative counts from the end; IndexError when out of range. */
  get(i: number): Promise<CValueOf<C>>
  set(i: number, value: CInputOf<C>): Promise<void>
  length(): Promise<number>
  slice(start?: number | null, end?: number | null): Promise<CSliceOf<C>>
  add(i: number, n?: CInputOf<C>): Promise<CValueOf<C>>
  compareAndSet(i: number, expected: CInputOf<C>, next: CInputOf<C>): Promise<boolean>
  getLock(): Promise<LockProxy>
  $getValue(): Promise<CSliceOf<C>>
}
