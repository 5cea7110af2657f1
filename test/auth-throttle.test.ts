// Failed handshakes are throttled per remote address, over real sockets: the next answer from
// that address waits a doubling delay before it is checked — a right one as well as a wrong one,
// and parallel connections wait their turn — while other addresses are not slowed at all.
import { AuthenticationError, connect } from '../client'
import { CloseCode, Tag, clientProof, newNonce } from '../protocol'
import { TEST_KEY, eventually, startHarness } from './helpers/harness'
import { rawSocket } from './helpers/raw-client'
import { bystander, dec, enc, wireSession } from './helpers/wire'

const BASE = 100

describe('authentication throttle', () => {
  test('after failures, the right key is held for the delay, then let in', async () => {
    await using h = await startHarness({ authThrottleMs: BASE })
    for (let i = 0; i < 3; i++) {
      await expect(connect(h.address, { authkey: 'wrong' })).rejects.toBeInstanceOf(AuthenticationError)
    }
    expect(h.logs.find('authentication failed').map((l) => l.delayMs)).toEqual([BASE, 2 * BASE, 4 * BASE])
    const m = await h.client()
    expect(await m.numberOfObjects()).toBe(0)
    // The right answer came within the 400 ms after the third failure: it was held, not checked at once.
    const held = h.logs.find('authentication throttled: answer held')
    expect(held.at(-1)).toMatchObject({ remote: '127.0.0.1', waitMs: expect.any(Number) })
    expect(held.at(-1)!.time as number).toBeGreaterThan(h.logs.find('authentication failed').at(-1)!.time as number)
    // The success cleared the record: the next failure starts again at the base delay.
    await expect(connect(h.address, { authkey: 'wrong' })).rejects.toBeInstanceOf(AuthenticationError)
    expect(h.logs.find('authentication failed').at(-1)?.delayMs).toBe(BASE)
  })

  test('wrong answers sent in parallel are checked one after another, each delay doubling', async () => {
    await using h = await startHarness({ authThrottleMs: BASE })
    const outcomes = await Promise.allSettled(Array.from({ length: 4 }, () => connect(h.address, { authkey: 'wrong' })))
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof AuthenticationError)).toBe(true)
    const failures = h.logs.find('authentication failed')
    expect(failures.map((l) => l.delayMs)).toEqual([BASE, 2 * BASE, 4 * BASE, 8 * BASE])
    // Never sooner than the delay before it (timers do not fire early; a 5 ms allowance for rounding).
    const times = failures.map((l) => l.time as number)
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual((failures[i - 1]!.delayMs as number) - 5)
  })

  test('another address is not slowed by the failures of the first', async () => {
    await using h = await startHarness({ authThrottleMs: 1000 })
    for (let i = 0; i < 3; i++) {
      await expect(connect(h.address, { authkey: 'wrong' })).rejects.toBeInstanceOf(AuthenticationError)
    }
    // 127.0.0.1 must now wait 4 s; 127.0.0.2 (another loopback address) is let in at once…
    const other = await wireSession(h.address, TEST_KEY, {}, { localAddress: '127.0.0.2' })
    expect(h.logs.find('authentication throttled: answer held').filter((l) => l.remote === '127.0.0.2')).toHaveLength(0)
    expect(h.logs.find('session started').at(-1)).toMatchObject({ remote: '127.0.0.2' })
    other.ws.close(1000)
    await other.closed
    // …and its own first failure gets the base delay, not 127.0.0.1's.
    const wrong = await rawSocket(h.address, undefined, { localAddress: '127.0.0.2' })
    const [, , nonce] = dec.decode(await wrong.next()) as [string, string, Uint8Array]
    wrong.ws.send(enc.encode([Tag.ANSWER, clientProof('wrong', nonce), newNonce(), {}]))
    expect(dec.decode(await wrong.next())).toEqual([Tag.FAILURE, 'authentication failed'])
    expect((await wrong.closed)[0]).toBe(CloseCode.AUTH_FAILED)
    expect(h.logs.find('authentication failed').at(-1)).toMatchObject({ remote: '127.0.0.2', delayMs: 1000 })
  })

  test('a client that hangs up while its answer is held leaves nothing behind', async () => {
    await using h = await startHarness({ authThrottleMs: 1000 })
    const b = await bystander(await h.client())
    await expect(connect(h.address, { authkey: 'wrong' })).rejects.toBeInstanceOf(AuthenticationError)
    const sock = await rawSocket(h.address)
    const [, , nonce] = dec.decode(await sock.next()) as [string, string, Uint8Array]
    sock.ws.send(enc.encode([Tag.ANSWER, clientProof(TEST_KEY, nonce), newNonce(), {}]))
    await eventually(() => h.logs.find('authentication throttled: answer held').length === 1, 5000, 'the answer to be held')
    sock.ws.terminate()
    await eventually(() => h.daemon.connections.size === 1, 5000, 'the connection to go')
    expect(h.daemon.core.sessions.size).toBe(1)
    await b.check()
    await b.dict.$release()
  })
})
