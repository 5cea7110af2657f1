// Heartbeats both ways: a link that goes silent without a FIN or RST (a frozen TCP proxy) is
// noticed by the client and by the daemon within about two intervals, and the client resumes
// once the link is back. Detection times are measured and printed, never asserted.
import { once } from 'node:events'
import { connect } from '../client'
import { TEST_KEY, eventually, startHarness } from './helpers/harness'
import { startTcpProxy } from './helpers/tcp-proxy'

const HEARTBEAT_MS = 200

describe('heartbeats', () => {
  test('a frozen link is noticed on both sides; the session resumes when it heals', async () => {
    await using h = await startHarness({ heartbeatMs: HEARTBEAT_MS })
    await using proxy = await startTcpProxy(h.daemon.port)
    await using m = await connect(proxy.address, {
      authkey: TEST_KEY,
      heartbeatMs: HEARTBEAT_MS,
      handshakeTimeoutMs: 1000, // attempts into the frozen link give up soon
      reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
    })
    const lock = await m.lock()
    await lock.acquire()
    const sessionId = m.sessionId
    const disconnected = once(m, 'disconnect')

    const cutAt = Date.now()
    proxy.freeze('both', { newToo: true })
    const [info] = await disconnected
    const clientNoticedMs = Date.now() - cutAt
    expect(info).toMatchObject({ code: 1006 })
    const timeout = await eventually(
      () => h.logs.find('heartbeat timeout').some((l) => l.session === sessionId),
      10_000,
      'the daemon to notice',
    ).then(() => h.logs.find('heartbeat timeout').find((l) => l.session === sessionId)!)
    const daemonNoticedMs = Number(timeout.time) - cutAt
    // Logged when the terminated socket's close event comes, a tick or more after the timeout's line.
    await eventually(
      () => h.logs.find('connection lost; session kept for resume').some((l) => l.session === sessionId),
      5000,
      'the session to be kept for resume',
    )
    console.log(
      `cut link noticed with heartbeats every ${HEARTBEAT_MS} ms: client after ${clientNoticedMs} ms, daemon after ${daemonNoticedMs} ms`,
    )

    const reconnected = once(m, 'reconnect')
    proxy.thaw()
    expect((await reconnected)[0]).toMatchObject({ resumed: true, sessionId })
    expect(await lock.locked()).toBe(true)
    await lock.release()
  })

  test('the client’s own heartbeat notices a dead link the daemon has not: it resumes by taking the session over', async () => {
    await using h = await startHarness({ heartbeatMs: 0 }) // the daemon never pings
    await using proxy = await startTcpProxy(h.daemon.port)
    await using m = await connect(proxy.address, { authkey: TEST_KEY, heartbeatMs: 100, reconnect: { initialDelayMs: 20 } })
    const d = await m.dict<string, number>()
    await d.set('a', 1)
    const reconnected = once(m, 'reconnect')
    proxy.freeze('both') // only the open connection: the reconnect gets through
    expect((await reconnected)[0]).toMatchObject({ resumed: true })
    expect(h.logs.find('session resumed').at(-1)).toMatchObject({ takeover: true })
    expect(await d.get('a')).toBe(1)
    await d.$release()
  })
})
