// A types module defining Counter, loaded by a daemon in its own process and used from two
// separate client processes at once.
import { join } from 'node:path'
import type { Remote } from '../client'
import { startChildDaemon } from './helpers/harness'
import { runClientProcess } from './helpers/run-client'

interface Counter {
  increment(by?: number): number
  value(): number
}

describe('user types', () => {
  test('a Counter from a --types module, shared by two client processes', async () => {
    await using owner = await startChildDaemon({ types: [join(__dirname, 'fixtures/counter-types.js')] })
    const counter = await owner.create<Counter>('Counter', 100)
    await owner.publish('counter', counter)
    const env = { MANAGERD_URL: owner.address, MANAGERD_AUTHKEY: owner.authkey!, INCREMENTS: '500' }
    const [a, b] = await Promise.all([
      runClientProcess(join(__dirname, 'fixtures/counter-client.js'), env),
      runClientProcess(join(__dirname, 'fixtures/counter-client.js'), env),
    ])
    expect([a.code, b.code, a.stderr + b.stderr]).toEqual([0, 0, ''])
    expect(a.lines[0]).toMatchObject({ typeid: 'Counter' })
    expect(await counter.value()).toBe(1100) // every increment of both processes, none lost
    // One of them saw the final value: increments are atomic on the daemon.
    expect(Math.max((a.lines[0] as { max: number }).max, (b.lines[0] as { max: number }).max)).toBe(1100)
    await owner.unpublish('counter')
    await counter.$release()
    expect(await owner.numberOfObjects()).toBe(0)
  })

  test('an ES module types file works too', async () => {
    await using owner = await startChildDaemon({ types: [join(__dirname, 'fixtures/esm-types.mjs')] })
    const greeter = await owner.create<{ greet(name: string): string }>('Greeter', 'Hello')
    expect(await greeter.greet('Ada')).toBe('Hello, Ada!')
    await greeter.$release()
  })

  test('a types module that does not export a function stops the daemon with a clear error', async () => {
    const err = await startChildDaemon({ types: [join(__dirname, 'fixtures/not-a-types-module.js')] }).catch((e: unknown) => e)
    expect((err as Error).message).toMatch(/must default-export a function/)
  })
})
