// Graceful shutdown of a daemon process, and what clients do about it: readyz 503, a GOAWAY to
// every client, calls in flight finish, sockets close by the drain deadline, exit 0. Clients let
// their calls finish, wait for the close, then reconnect with backoff — to a new daemon on the
// same address, as a new session (sessionLost), with their old proxies stale.
import { join } from 'node:path'
import { connect, type ConnectOptions, type Manager } from '../client'
import { startCli } from './helpers/cli'
import { TEST_KEY, eventually } from './helpers/harness'
import { freePort } from './helpers/tcp-proxy'
import { rejectionOf, track } from './helpers/tracking'

const types = join(__dirname, 'fixtures/counter-types.js')
const env = { MANAGERD_AUTHKEY: TEST_KEY, MANAGERD_AUTHKEY_FILE: '' }
type Counter = { value(): Promise<number>; later(ms: number): Promise<number> }
type Recorded = Manager & { events: Array<{ event: string; at: number; data: unknown }> }

async function recorded(address: string, options: ConnectOptions): Promise<Recorded> {
  const m = await connect(address, { authkey: TEST_KEY, ...options })
  const events: Recorded['events'] = []
  for (const event of ['goaway', 'disconnect', 'sessionLost', 'reconnect', 'close'] as const) {
    m.on(event, (data: unknown) => events.push({ event, at: Date.now(), data }))
  }
  return Object.assign(m, { events })
}

const named = (m: Recorded): string[] => m.events.map((e) => e.event)
const dataOf = (m: Recorded, event: string): Record<string, unknown> => m.events.find((e) => e.event === event)?.data as Record<string, unknown>

describe('graceful shutdown', () => {
  test('SIGTERM: GOAWAY to every client, the call in flight finishes, exit 0; clients reconnect to the next daemon', async () => {
    const port = await freePort()
    const args = ['--port', String(port), '--drain-timeout-ms', '5000', '--types', types]
    const first = await startCli(args, env)
    const policy = { reconnect: { initialDelayMs: 100, maxDelayMs: 400 } }
    await using a = await recorded(first.address, { ...policy, name: 'a' })
    await using b = await recorded(first.address, { ...policy, name: 'b' })
    const counter = await a.create<Counter>('Counter', 41)
    const inFlight = track(counter.later(800))
    await eventually(async () => (await a.debugInfo()).sessions.some((s) => s.parkedCalls === 1), 5000, 'the call to park')

    first.child.kill('SIGTERM')
    await eventually(() => named(a).includes('goaway') && named(b).includes('goaway'), 5000, 'GOAWAY on both clients')
    expect(dataOf(b, 'goaway')).toMatchObject({ reason: 'SIGTERM received', deadlineMs: 5000 })
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`)
    expect([ready.status, await ready.json()]).toEqual([503, { status: 'draining' }])
    expect(await inFlight.promise).toBe(41) // the drain waited for it
    expect(await first.exited).toBe(0)
    await eventually(() => named(a).includes('disconnect') && named(b).includes('disconnect'), 5000, 'both links to close')
    expect(dataOf(a, 'disconnect')).toMatchObject({ code: 1001 })
    // The GOAWAY's close is not an error storm: no call failed, nothing closed for good.
    expect(named(a)).toEqual(['goaway', 'disconnect'])

    const second = await startCli(args, env)
    await eventually(() => named(a).includes('reconnect') && named(b).includes('reconnect'), 10_000, 'both to reconnect')
    for (const m of [a, b]) {
      expect(named(m)).toEqual(['goaway', 'disconnect', 'sessionLost', 'reconnect'])
      expect(dataOf(m, 'sessionLost').reason).toBe('the daemon restarted')
      const { attempts, downtimeMs, resumed } = dataOf(m, 'reconnect') as { attempts: number; downtimeMs: number; resumed: boolean }
      expect(resumed).toBe(false)
      // Backoff, not a loop: every delay after a GOAWAY is at least half the initial one (50 ms).
      expect(attempts).toBeLessThanOrEqual(1 + downtimeMs / 50)
      console.log(`${m === a ? 'a' : 'b'}: reconnected to the new daemon after ${downtimeMs} ms, ${attempts} attempts`)
    }
    expect(await rejectionOf(counter.value())).toMatchObject({ name: 'StaleProxyError', code: 'MANAGERD_ERR_STALE_PROXY' })
    const d = await a.dict<string, number>()
    await d.set('x', 1)
    expect(await b.numberOfObjects()).toBe(1)

    // shutdown() does the same from a client: the caller's manager closes, the others reconnect later.
    const before = b.events.length
    await a.shutdown()
    expect(await second.exited).toBe(0)
    await eventually(() => named(b).slice(before).includes('disconnect'), 5000, 'b to see the close')
    expect(named(b).slice(before)).toEqual(['goaway', 'disconnect'])
    expect(b.events[before]!.data).toMatchObject({ reason: expect.stringContaining('shutdown') })
    expect(named(a).slice(-1)).toEqual(['close'])
    expect(a.events.at(-1)!.data).toMatchObject({ name: 'ManagerClosedError' })
    expect(second.logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutdown requested by a client', 'draining', 'stopped']))
  })

  test('SIGINT with a call that never finishes: cut at the drain deadline, the socket closes, exit 0', async () => {
    const d = await startCli(['--port', '0', '--drain-timeout-ms', '500'], env)
    await using m = await recorded(d.address, { reconnect: false })
    const q = await m.queue()
    const get = track(q.get()) // parks until an item comes: none will
    await eventually(async () => (await m.debugInfo()).sessions[0]?.parkedCalls === 1, 5000, 'the get to park')
    const signalAt = Date.now()
    d.child.kill('SIGINT')
    const err = await rejectionOf(get.promise)
    const closedAfterMs = Date.now() - signalAt
    expect(err).toMatchObject({ name: 'ConnectionLostError', code: 'MANAGERD_ERR_CONNECTION_LOST' })
    expect(err.message).toMatch(/1001/)
    expect(await d.exited).toBe(0)
    expect(named(m)).toEqual(['goaway', 'close'])
    const msgs = d.logs.map((l) => l.msg)
    expect(msgs).toEqual(expect.arrayContaining(['signal received', 'draining', 'drain deadline passed with calls still parked', 'stopped']))
    expect(d.logs.find((l) => l.msg === 'signal received')).toMatchObject({ signal: 'SIGINT' })
    console.log(`SIGINT with a call parked for good, drain deadline 500 ms: the socket closed ${closedAfterMs} ms after the signal`)
  })
})
