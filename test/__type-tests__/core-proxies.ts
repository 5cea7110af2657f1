// Type tests for the core typed proxy API — Remote<T>, the container helpers, the Manager and
// connect(): checked by `npm run typecheck` (tsc --noEmit), never run. Each @ts-expect-error
// line must fail to compile.
import { connect, localManager, startManager, type DictProxy, type ListProxy, type Manager, type Remote, type Token } from '../../client'

declare const m: Manager
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
function assertType<T extends true>(): T | undefined {
  return undefined
}

class Counter {
  #n = 0
  increment(by = 1): number {
    return (this.#n += by)
  }
  async later(ms: number): Promise<string> {
    return String(ms)
  }
  then(): void {}
  _hidden(): void {}
  label = 'not a method'
}

export async function typeTests(): Promise<void> {
  // Remote<T>: each public method, returning a Promise of its (awaited) result; controls too.
  const c = await m.create<Counter>('Counter', 5)
  assertType<Equal<typeof c, Remote<Counter>>>()
  assertType<Equal<Awaited<ReturnType<typeof c.increment>>, number>>()
  assertType<Equal<ReturnType<typeof c.later>, Promise<string>>>()
  const token: Token = c.$token
  const typeid: string = c.$typeid
  await c.$call('increment', 2)
  await c.$withTimeout(100).increment()
  await c.$release()
  // @ts-expect-error: then is never remote (so `await proxy` is the proxy)
  c.then
  // @ts-expect-error: _-prefixed methods are not exposed
  c._hidden
  // @ts-expect-error: only methods are remote, not data properties
  c.label
  // @ts-expect-error: argument types are kept
  await c.increment('one')
  // @ts-expect-error: a proxy's members cannot be assigned
  c.increment = async () => 1

  // dict<K, V>, list<T>, namespace<T>
  const d = await m.dict<string, number>({ a: 1 })
  assertType<Equal<typeof d, DictProxy<string, number>>>()
  const got = await d.get('a')
  assertType<Equal<typeof got, number | undefined>>()
  const withDefault: number | null = await d.get('b', null)
  assertType<Equal<Awaited<ReturnType<typeof d.$getValue>>, Map<string, number>>>()
  for await (const [k, v] of d) {
    const entry: [string, number] = [k, v]
    // @ts-expect-error: keys are strings, values numbers
    const swapped: [number, string] = [k, v]
    void [entry, swapped]
  }
  // @ts-expect-error: values are typed
  await d.set('a', 'one')
  const l = await m.list<string>(['x'])
  assertType<Equal<Awaited<ReturnType<typeof l.slice>>, string[]>>()
  const nested = await m.list<ListProxy<string>>()
  await nested.append(l) // a proxy stored in a container stays a reference
  // @ts-expect-error: items are typed
  await l.append(1)
  const ns = await m.namespace<{ ready: boolean; n: number }>({ ready: false })
  assertType<Equal<Awaited<ReturnType<typeof ns.get<'n'>>>, number>>()
  // @ts-expect-error: no such attribute
  await ns.get('missing')

  // Manager: names, introspection, lifecycle.
  await m.publish('d', d)
  const back = await m.lookup<DictProxy<string, number>>('d')
  const size: number = await back.size()
  const unpublished: boolean = await m.unpublish('d')
  const count: number = await m.numberOfObjects()
  const methods: string[] = await m.getMethods(d)
  await m.ping()
  // @ts-expect-error: publish takes a proxy, not a plain value
  await m.publish('x', { a: 1 })

  // connect / startManager / localManager give the same Manager.
  const remote: Manager = await connect('ws://127.0.0.1:7400', { authkey: 'k', name: 'n', callTimeoutMs: 5, reconnect: false })
  const started = await startManager({ types: ['./types.js'] })
  const key: string | undefined = started.authkey
  const address: string = started.address
  const local: Manager = await localManager({ registerTypes: (registry) => registry.register('Counter', { create: () => new Counter() }) })
  // @ts-expect-error: a misspelt option
  await connect('ws://127.0.0.1:7400', { authKey: 'k' })
  await using scoped = await localManager()
  await using scopedDict = await scoped.dict()
  void [token, typeid, withDefault, size, unpublished, count, methods, remote, key, address, local, scopedDict]
}
