// Manager: the client API of one session on one daemon — create shared objects, publish and
// look them up by name, introspect, shut the daemon down, close.

import { EventEmitter } from 'node:events'
import { BadArgumentsError, ManagerClosedError, StaleProxyError, type DebugInfo, type DebugInfoOptions, type GoawayInfo, type TypeInfo } from '../protocol'
import type { Connection } from './connection'
import { BaseProxy, proxyRef } from './proxy'
import type { DisconnectInfo, ReconnectInfo, SessionLostInfo } from './session-link'
import './sync-methods' // withLock / waitFor on the proxies of the sync types
import type {
  ArrayProxy,
  BarrierOptions,
  BarrierProxy,
  CArrayInit,
  CInputOf,
  ConditionProxy,
  DictProxy,
  EventProxy,
  JoinableQueueProxy,
  ListProxy,
  LockProxy,
  NamespaceProxy,
  ProxyControls,
  QueueProxy,
  RLockProxy,
  Remote,
  SemaphoreProxy,
  Typecode,
  ValueOptions,
  ValueProxy,
} from './types'

export interface ManagerEvents {
  /** The daemon is draining (shutdown or SIGTERM): calls in flight finish; the client reconnects after its close. */
  goaway: [GoawayInfo]
  /** The link dropped; calls in flight failed with ConnectionLostError, new ones wait for the reconnect. */
  disconnect: [DisconnectInfo]
  /** The daemon did not resume the session (grace passed, or a new daemon): old proxies are stale. */
  sessionLost: [SessionLostInfo]
  /** A link is up again, on the same session (`resumed`) or on a new one (after `sessionLost`). */
  reconnect: [ReconnectInfo]
  /** The end: closed, reconnecting off or given up, or a close that ends the session. Calls now reject with this error. */
  close: [Error]
}

export interface ManagerHooks {
  /** Run after the connection closes (startManager stops its daemon here). */
  onClose?: () => Promise<void>
  /** Run after a successful shutdown() call (startManager waits for its daemon to exit). */
  onShutdown?: () => Promise<void>
  authkey?: string
}

export class Manager extends EventEmitter<ManagerEvents> {
  readonly #conn: Connection
  readonly #hooks: ManagerHooks
  /** The key of a daemon this manager started itself (startManager), for other processes to connect. */
  readonly authkey: string | undefined
  #closing: Promise<void> | undefined

  constructor(conn: Connection, hooks: ManagerHooks = {}) {
    super()
    this.#conn = conn
    this.#hooks = hooks
    this.authkey = hooks.authkey
    conn.on('goaway', (info) => this.emit('goaway', info))
    conn.on('disconnect', (info) => this.emit('disconnect', info))
    conn.on('sessionLost', (info) => this.emit('sessionLost', info))
    conn.on('reconnect', (info) => this.emit('reconnect', info))
    conn.on('close', (err) => this.emit('close', err))
  }

  /** False while the link is down and the client is reconnecting (or once closed). */
  get connected(): boolean {
    return this.#conn.connected
  }

  /** The daemon's URL. */
  get address(): string {
    return this.#conn.address
  }

  /** The current session (a new one after `sessionLost`). */
  get sessionId(): string {
    return this.#conn.welcome.sessionId
  }

  /** The underlying connection (for tools and tests). */
  get connection(): Connection {
    return this.#conn
  }

  /** create(typeid, ...args): a new shared object of a registered type. */
  create<T = unknown>(typeid: string, ...args: unknown[]): Promise<Remote<T>> {
    return this.#conn.call(null, 'create', [typeid, ...args]) as Promise<Remote<T>>
  }

  dict<K = unknown, V = unknown>(init?: Map<K, V> | Array<[K, V]> | Record<string, V>): Promise<DictProxy<K, V>> {
    return this.#create('dict', init) as Promise<DictProxy<K, V>>
  }

  list<T = unknown>(init?: T[]): Promise<ListProxy<T>> {
    return this.#create('list', init) as Promise<ListProxy<T>>
  }

  namespace<T extends Record<string, unknown> = Record<string, unknown>>(init?: Partial<T>): Promise<NamespaceProxy<T>> {
    return this.#create('Namespace', init) as Promise<NamespaceProxy<T>>
  }

  /** A FIFO queue; `maxsize` 0 (the default) means no limit. */
  queue<T = unknown>(maxsize?: number): Promise<QueueProxy<T>> {
    return this.#make('Queue', maxsize) as Promise<QueueProxy<T>>
  }

  /** A queue that counts unfinished tasks: `taskDone()` and `join()`. */
  joinableQueue<T = unknown>(maxsize?: number): Promise<JoinableQueueProxy<T>> {
    return this.#make('JoinableQueue', maxsize) as Promise<JoinableQueueProxy<T>>
  }

  /** A mutex owned by the session that acquires it (released if that session ends). */
  lock(): Promise<LockProxy> {
    return this.#make('Lock') as Promise<LockProxy>
  }

  /** A reentrant lock: owner = session + optional label. */
  rlock(): Promise<RLockProxy> {
    return this.#make('RLock') as Promise<RLockProxy>
  }

  semaphore(value?: number): Promise<SemaphoreProxy> {
    return this.#make('Semaphore', value) as Promise<SemaphoreProxy>
  }

  /** A semaphore whose release() rejects above its initial value. */
  boundedSemaphore(value?: number): Promise<SemaphoreProxy> {
    return this.#make('BoundedSemaphore', value) as Promise<SemaphoreProxy>
  }

  /** A condition variable over `lock` (a Lock or RLock), or over a Lock of its own. */
  condition(lock?: LockProxy | RLockProxy): Promise<ConditionProxy> {
    return this.#make('Condition', lock) as Promise<ConditionProxy>
  }

  event(): Promise<EventProxy> {
    return this.#make('Event') as Promise<EventProxy>
  }

  barrier(parties: number, options?: BarrierOptions): Promise<BarrierProxy> {
    return this.#make('Barrier', parties, options) as Promise<BarrierProxy>
  }

  /** A C-typed value (sharedctypes typecode), guarded by a Lock unless `{ lock: false }`. */
  value<C extends Typecode>(typecode: C, init?: CInputOf<C>, options?: ValueOptions): Promise<ValueProxy<C>> {
    return this.#make('Value', typecode, init, options) as Promise<ValueProxy<C>>
  }

  /** A fixed-length C-typed array: a size (zeros) or the initial items ('c': a Buffer, 'u': a string). */
  array<C extends Typecode>(
    typecode: C,
    sizeOrInit: number | CArrayInit<C>,
    options?: ValueOptions,
  ): Promise<ArrayProxy<C>> {
    return this.#make('Array', typecode, sizeOrInit, options) as Promise<ArrayProxy<C>>
  }

  /** Publish a shared object under a name: the name holds it until unpublished or replaced. */
  async publish(name: string, proxy: ProxyControls): Promise<void> {
    await this.#conn.call(null, 'publish', [name, this.#idOf(proxy)])
  }

  /** A new proxy to the object published under `name` (DispatchError if there is none). */
  lookup<P = Remote<unknown>>(name: string): Promise<P> {
    return this.#conn.call(null, 'lookup', [name]) as Promise<P>
  }

  async unpublish(name: string): Promise<boolean> {
    return (await this.#conn.call(null, 'unpublish', [name])) as boolean
  }

  /** The exposed method names of an object. */
  async getMethods(proxy: ProxyControls): Promise<string[]> {
    return (await this.#conn.call(null, 'getMethods', [this.#idOf(proxy)])) as string[]
  }

  async numberOfObjects(): Promise<number> {
    return (await this.#conn.call(null, 'numberOfObjects', [])) as number
  }

  /** Who holds what on the daemon, and counts; `{ tables: false }` for the counts only. */
  async debugInfo(options?: DebugInfoOptions): Promise<DebugInfo> {
    return (await this.#conn.call(null, 'debugInfo', options === undefined ? [] : [options])) as DebugInfo
  }

  async listTypes(): Promise<TypeInfo[]> {
    return (await this.#conn.call(null, 'listTypes', [])) as TypeInfo[]
  }

  /** A round trip that does nothing (managers.py `dummy`). */
  async ping(): Promise<void> {
    await this.#conn.call(null, 'dummy', [])
  }

  /** Stop the daemon (every session ends, every object is freed) and close this manager. */
  async shutdown(): Promise<void> {
    await this.#conn.call(null, 'shutdown', [])
    this.#conn.expectClose(new ManagerClosedError('the daemon was shut down'))
    await this.#hooks.onShutdown?.()
    await this.close()
  }

  /** End this session: the daemon releases everything it held. Resolves once the link is closed. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#conn.close(true)
      await this.#hooks.onClose?.()
    })()
    return this.#closing
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  /** create(typeid, ...args) without trailing undefined arguments (the type's defaults apply). */
  #make(typeid: string, ...args: unknown[]): Promise<unknown> {
    while (args.length > 0 && args[args.length - 1] === undefined) args.pop()
    return this.#conn.call(null, 'create', [typeid, ...args])
  }

  #create(typeid: string, init: unknown): Promise<unknown> {
    return this.#conn.call(null, 'create', init === undefined ? [typeid] : [typeid, init])
  }

  #idOf(proxy: ProxyControls): string {
    if (!(proxy instanceof BaseProxy)) throw new BadArgumentsError('expected a proxy')
    const ref = proxyRef(proxy)
    if (ref.host !== this.#conn) throw new BadArgumentsError('the proxy belongs to another manager')
    if (ref.epoch !== this.#conn.epoch) throw new StaleProxyError(`proxy ${ref.token.id} belongs to a session that was lost`)
    return ref.token.id
  }
}
