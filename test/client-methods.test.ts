// registerClientMethods(): methods that run in the client, on the proxies of chosen typeids.
import { registerClientMethods, type Remote } from '../client'
import type { Registry } from '../server'
import { startHarness } from './helpers/harness'

class Cell {
  #n = 0
  get(): number {
    return this.#n
  }
  set(n: number): void {
    this.#n = n
  }
  bump(): string {
    return 'remote'
  }
}

type CellProxy = Remote<Cell> & { twice(): Promise<number>; bump(): Promise<string> }

registerClientMethods('Cell', {
  async twice(this: Remote<Cell>): Promise<number> {
    return 2 * (await this.get())
  },
  // A remote method of the same name wins.
  bump(): string {
    return 'local'
  },
})

const registerTypes = (registry: Registry): void => registry.register('Cell', { create: () => new Cell() })

test('client methods are on the proxies of their typeid only, and remote methods win', async () => {
  await using h = await startHarness({ registerTypes })
  const m = await h.client()
  const cell = (await m.create<Cell>('Cell')) as CellProxy
  await cell.set(21)
  expect(await cell.twice()).toBe(42)
  expect(await cell.bump()).toBe('remote')
  const d = await m.dict()
  expect((d as unknown as Record<string, unknown>).twice).toBeUndefined()
  await d.$release()
  await cell.$release()
})

test.each([['then'], ['$release'], ['$mine']])('%s cannot be a client method', (name) => {
  expect(() => registerClientMethods('Cell', { [name]: () => 1 })).toThrow(TypeError)
})
