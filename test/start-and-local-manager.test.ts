// startManager() spawns a private daemon; localManager() runs one in-process. Same API.
import { connect, localManager, startManager, type DictProxy } from '../client'

describe('startManager', () => {
  test('spawns a daemon on a free port with a random key; others can connect; close stops it', async () => {
    const owner = await startManager()
    expect(owner.address).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/)
    expect(owner.authkey).toMatch(/^[0-9a-f]{64}$/)
    const d = await owner.dict<string, number>()
    await owner.publish('d', d)
    // Reconnecting off: a daemon that is gone for good closes the manager (with it on, it would retry).
    const other = await connect(owner.address, { authkey: owner.authkey!, reconnect: false })
    const seen = await other.lookup<DictProxy<string, number>>('d')
    await seen.set('from-other', 1)
    expect(await d.get('from-other')).toBe(1)
    const closed = new Promise((resolve) => other.on('close', resolve))
    await owner.close() // owns the daemon: stops it
    await closed
    await expect(seen.get('x')).rejects.toMatchObject({ code: 'MANAGERD_ERR_CONNECTION_LOST' })
    await expect(connect(owner.address, { authkey: owner.authkey!, handshakeTimeoutMs: 1000 })).rejects.toMatchObject({
      code: 'MANAGERD_ERR_CONNECTION_LOST',
    })
  })

  test('shutdown() stops the daemon and resolves once it exited', async () => {
    const m = await startManager()
    await m.shutdown()
    await expect(m.ping()).rejects.toMatchObject({ code: 'MANAGERD_ERR_CLOSED' })
  })

  test('a daemon that cannot start rejects with its reason', async () => {
    await expect(startManager({ args: ['--max-frame-bytes', '1'] })).rejects.toThrow(/max-frame-bytes/)
  })
})

describe('localManager', () => {
  test('the same API, with copy semantics and refcounts', async () => {
    await using m = await localManager()
    const d = await m.dict<string, number[]>()
    const arr = [1, 2]
    await d.set('k', arr)
    arr.push(3) // a copy went in
    expect(await d.get('k')).toEqual([1, 2])
    const got = await d.get('k')
    got!.push(9) // a copy came out
    expect(await d.get('k')).toEqual([1, 2])
    const l = await m.list<unknown>()
    await l.append(d)
    const back = (await l.get(0)) as DictProxy<string, number[]>
    expect(back.$token.id).toBe(d.$token.id)
    expect(await m.numberOfObjects()).toBe(2)
    await back.$release()
    await d.$release()
    await l.$release()
    expect(await m.numberOfObjects()).toBe(0)
    await expect(m.create('nope')).rejects.toMatchObject({ remoteCode: 'MANAGERD_ERR_UNKNOWN_TYPE' })
  })

  test('user types register in code or from modules', async () => {
    await using m = await localManager({
      registerTypes: (registry) => registry.register('Pair', { create: (a: unknown, b: unknown) => ({ a, b, sum: () => Number(a) + Number(b) }) }),
    })
    const pair = await m.create<{ sum(): number }>('Pair', 2, 3)
    expect(await pair.sum()).toBe(5)
    await pair.$release()
  })

  test('unserializable values are refused just as over a socket', async () => {
    await using m = await localManager()
    const l = await m.list<unknown>()
    await expect(l.append(() => 1)).rejects.toMatchObject({ code: 'MANAGERD_ERR_UNSERIALIZABLE' })
    await l.$release()
  })
})
