// Proxies: one class per typeid (per connection) whose prototype gets a method for each exposed
// name — managers.py's MakeProxyType. Controls are `$`-prefixed or symbols, so every other name
// can be a remote method; `then` never is, so `await proxy` is safe. Each proxy instance holds
// one reference on the daemon, released by `$release()`, `await using`, or — as a backstop — the
// FinalizationRegistry.

import { inspect } from 'node:util'
import { NotExposedError, ObjectMethod, ProxyReleasedError, StaleProxyError, type Token } from '../protocol'

export const kState = Symbol('managerd.proxyState')

/** What a proxy needs from its connection. */
export interface ProxyHost {
  readonly address: string
  /** Bumped when a session is lost: proxies of an older epoch are stale. */
  readonly epoch: number
  call(target: string, method: string, args: unknown[], timeoutMs?: number): Promise<unknown>
  /** Queue a decref of one reference (batched). */
  release(id: string): void
}

/** The reference behind a proxy; shared by a proxy and its `$withTimeout` views. */
export class ProxyRef {
  released = false
  constructor(
    readonly host: ProxyHost,
    readonly token: Token,
    readonly epoch: number,
  ) {}
}

interface ProxyState {
  readonly ref: ProxyRef
  readonly timeoutMs: number | undefined
  readonly info: ProxyClassInfo
  /** For a `$withTimeout` view: the proxy that owns the reference, kept alive by the view. */
  readonly owner: BaseProxy | undefined
}

const backstop = new FinalizationRegistry<{ host: ProxyHost; id: string; epoch: number; ref: ProxyRef }>((held) => {
  // Forgotten without $release(): give the reference back, unless its session is gone.
  if (!held.ref.released && held.host.epoch === held.epoch) held.host.release(held.id)
})

function check(state: ProxyState, method: string): Error | undefined {
  const { ref } = state
  if (ref.released) return new ProxyReleasedError(`${ref.token.typeid} proxy ${ref.token.id} was released; ${method}() is not possible`)
  if (ref.host.epoch !== ref.epoch) {
    return new StaleProxyError(
      `${ref.token.typeid} proxy ${ref.token.id} belongs to a session that was lost (the daemon did not resume it); create or look up the object again`,
    )
  }
  return undefined
}

/** Calls through a proxy: the generated methods and `$call` land here. */
function callRemote(proxy: BaseProxy, method: string, args: unknown[]): Promise<unknown> {
  const state = proxy[kState]
  const problem = check(state, method)
  if (problem !== undefined) return Promise.reject(problem)
  return state.ref.host.call(state.ref.token.id, method, args, state.timeoutMs)
}

export class BaseProxy {
  declare readonly [kState]: ProxyState

  get $token(): Token {
    return this[kState].ref.token
  }

  get $typeid(): string {
    return this[kState].ref.token.typeid
  }

  /** Call any exposed method by name. */
  $call(method: string, ...args: unknown[]): Promise<unknown> {
    const { info } = this[kState]
    if (info.exposed !== null && !info.exposed.has(method)) {
      return Promise.reject(new NotExposedError(`method '${method}' of ${this.$typeid} is not exposed`))
    }
    return callRemote(this, method, args)
  }

  /** A copy of the referent's value (managers.py `_getvalue()`). */
  $getValue(): Promise<unknown> {
    return callRemote(this, ObjectMethod.GETVALUE, [])
  }

  /** The same reference, with calls that time out after `ms` (0 = never). Not a new reference. */
  $withTimeout(ms: number): this {
    if (typeof ms !== 'number' || !(ms >= 0)) throw new TypeError('timeout must be a number of milliseconds >= 0')
    const state = this[kState]
    return makeInstance(state.info, state.ref, ms, state.owner ?? this) as this
  }

  /** Give the reference back to the daemon. Further calls reject with ProxyReleasedError. */
  async $release(): Promise<void> {
    const { ref } = this[kState]
    if (ref.released) return
    ref.released = true
    backstop.unregister(ref)
    if (ref.host.epoch === ref.epoch) ref.host.release(ref.token.id)
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.$release()
  }

  get [Symbol.toStringTag](): string {
    return `Proxy<${this.$typeid}>`
  }

  [inspect.custom](): string {
    const { ref } = this[kState]
    return `Proxy<${ref.token.typeid}> { id: '${ref.token.id}'${ref.released ? ', released' : ''} }`
  }
}

/** The proxy class of one typeid on one connection; methods appear once `exposed` is known. */
export interface ProxyClassInfo {
  readonly typeid: string
  readonly proto: BaseProxy
  exposed: ReadonlySet<string> | null
}

/** A method that runs in the client on proxies of some typeids; `this` is the proxy. */
export type ClientMethod = (this: never, ...args: never[]) => unknown

const clientMethods = new Map<string, Map<string, ClientMethod>>()

/**
 * Give the proxies of `typeids` methods that run in the client, built on their remote methods:
 * `withLock` on locks (Python's `with lock:`), `waitFor` on conditions. A remote method of the
 * same name wins. Proxy classes are made per connection on first use: register before connecting.
 */
export function registerClientMethods(typeids: string | readonly string[], methods: Readonly<Record<string, ClientMethod>>): void {
  for (const [name, fn] of Object.entries(methods)) {
    if (name === 'then' || name.startsWith('$') || name in BaseProxy.prototype) throw new TypeError(`'${name}' cannot be a client method`)
    if (typeof fn !== 'function') throw new TypeError(`client method '${name}' must be a function`)
  }
  for (const typeid of typeof typeids === 'string' ? [typeids] : typeids) {
    let own = clientMethods.get(typeid)
    if (own === undefined) clientMethods.set(typeid, (own = new Map()))
    for (const [name, fn] of Object.entries(methods)) own.set(name, fn)
  }
}

export function newProxyClass(typeid: string): ProxyClassInfo {
  const proto = Object.create(BaseProxy.prototype) as BaseProxy
  for (const [name, fn] of clientMethods.get(typeid) ?? []) {
    // Configurable, so that defineMethods() can put a remote method of the same name in its place.
    Object.defineProperty(proto, name, { value: fn, writable: false, enumerable: false, configurable: true })
  }
  return { typeid, proto, exposed: null }
}

/** Give the class its methods (once; exposed is fixed per typeid). */
export function defineMethods(info: ProxyClassInfo, exposed: readonly string[]): void {
  if (info.exposed !== null) return
  // `then` stays local even if a daemon lists it: not a method, and not reachable by $call either.
  info.exposed = new Set(exposed.filter((name) => name !== 'then'))
  for (const name of exposed) {
    if (name === 'then' || name.startsWith('$') || name in BaseProxy.prototype) continue
    Object.defineProperty(info.proto, name, {
      value: {
        // A named method (shows up in stacks) that forwards its arguments as they are.
        [name](this: BaseProxy, ...args: unknown[]): Promise<unknown> {
          return callRemote(this, name, args)
        },
      }[name],
      writable: false,
      enumerable: false,
      configurable: false,
    })
  }
  if (info.exposed.has('iter')) {
    Object.defineProperty(info.proto, Symbol.asyncIterator, { value: iterate, writable: false, enumerable: false })
  }
}

/** `for await (const x of proxy)`: pulls batches from the object's `iter()` Iterator. */
async function* iterate(this: BaseProxy): AsyncGenerator<unknown> {
  const it = (await this.$call('iter')) as BaseProxy & { next(n: number): Promise<{ values: unknown[]; done: boolean }> }
  try {
    for (;;) {
      const batch = await it.next(256)
      yield* batch.values
      if (batch.done) return
    }
  } finally {
    await it.$release()
  }
}

function makeInstance(info: ProxyClassInfo, ref: ProxyRef, timeoutMs: number | undefined, owner?: BaseProxy): BaseProxy {
  const proxy = Object.create(info.proto) as BaseProxy
  Object.defineProperty(proxy, kState, { value: { ref, timeoutMs, info, owner } satisfies ProxyState })
  // No own properties can be added, changed or deleted: a proxy is not a local object.
  return Object.freeze(proxy)
}

/** A new proxy holding one (already counted) reference. */
export function createProxy(info: ProxyClassInfo, host: ProxyHost, token: Token, timeoutMs?: number): BaseProxy {
  const ref = new ProxyRef(host, token, host.epoch)
  const proxy = makeInstance(info, ref, timeoutMs)
  backstop.register(proxy, { host, id: token.id, epoch: ref.epoch, ref }, ref)
  return proxy
}

export function proxyRef(proxy: BaseProxy): ProxyRef {
  return proxy[kState].ref
}

export function isProxy(value: unknown): value is BaseProxy {
  return value instanceof BaseProxy
}
