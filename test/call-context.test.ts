// currentCall().create() and currentCall().invoke(): a type making a shared object it holds and
// hands out (as a Value does with its Lock), and calling another object's exposed method.
import { currentCall, type Registry, type SharedRef } from '../server'
import { RemoteError, type DictProxy } from '../client'
import { startHarness } from './helpers/harness'

class Box {
  readonly #inner: SharedRef
  constructor(kind = 'dict') {
    this.#inner = currentCall().create(kind)
  }
  inner(): SharedRef {
    return this.#inner
  }
  /** Calls `method` of `target` through the daemon's allow-list, as the caller. */
  relay(target: SharedRef, method: string, ...args: unknown[]): unknown {
    return currentCall().invoke(target, method, ...args)
  }
}

class WhoAmI {
  caller(): string {
    return `${currentCall().target.typeid}:${currentCall().session.id}`
  }
  _hidden(): number {
    return 1
  }
}

function registerTypes(registry: Registry): void {
  registry.register('Box', { create: (kind?: string) => new Box(kind) })
  registry.register('WhoAmI', { create: () => new WhoAmI() })
  registry.register('AsyncMade', { create: async () => ({ ok: () => true }) })
  registry.register('Throws', {
    create: () => {
      throw new RangeError('no')
    },
  })
}

describe('currentCall().create', () => {
  test('the made object is held by its maker, handed out as the same proxy, freed with it', async () => {
    await using h = await startHarness({ registerTypes })
    const m = await h.client()
    const box = await m.create<Box>('Box')
    expect(await m.numberOfObjects()).toBe(2)
    const a = (await box.inner()) as unknown as DictProxy<string, number>
    const b = (await box.inner()) as unknown as DictProxy<string, number>
    expect(a.$typeid).toBe('dict')
    expect(a.$token.id).toBe(b.$token.id)
    await a.set('x', 1)
    expect(await b.get('x')).toBe(1)
    await a.$release()
    await b.$release()
    expect(await m.numberOfObjects()).toBe(2) // the box still holds it
    await box.$release()
    expect(await m.numberOfObjects()).toBe(0)
  })

  test.each([
    ['an unknown type', 'Nope', /no creatable type 'Nope'/],
    ['an asynchronous create', 'AsyncMade', /asynchronous create/],
    ['a create that throws', 'Throws', /^no$/],
  ])('%s fails the maker and leaves nothing behind', async (_what, kind, message) => {
    await using h = await startHarness({ registerTypes })
    const m = await h.client()
    const err = await m.create('Box', kind).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).message).toMatch(message)
    await m.ping()
    expect(await m.numberOfObjects()).toBe(0)
  })
})

describe('currentCall().invoke', () => {
  test('calls an exposed method with the target switched to the invoked object', async () => {
    await using h = await startHarness({ registerTypes })
    const m = await h.client()
    const box = await m.create<Box>('Box')
    const who = await m.create<WhoAmI>('WhoAmI')
    expect(await box.relay(who as never, 'caller')).toBe(`WhoAmI:${m.sessionId}`)
    const err = await box.relay(who as never, '_hidden').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RemoteError)
    expect(err).toMatchObject({ code: 'MANAGERD_ERR_REMOTE', remoteName: 'NotExposedError', remoteCode: 'MANAGERD_ERR_NOT_EXPOSED' })
    await who.$release()
    await box.$release()
  })
})
