// Every limit set through the real `managerd` CLI, once by flags and once by their MANAGERD_*
// environment twins, and each seen to act on a real socket: 1009, TooManyInFlightError, 4004,
// 4002, 4006 and the auth throttle's delay.
import { mkdtempSync } from 'node:fs'
import type { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AuthenticationError, connect } from '../client'
import { CloseCode } from '../protocol'
import { startCli, type RunningDaemon } from './helpers/cli'
import { TEST_KEY, eventually } from './helpers/harness'
import { rawSocket } from './helpers/raw-client'
import { enc, proxyId, wireSession } from './helpers/wire'

const LIMITS: Array<[flag: string, env: string, value: string]> = [
  ['--max-frame-bytes', 'MANAGERD_MAX_FRAME_BYTES', '2048'],
  ['--max-in-flight', 'MANAGERD_MAX_IN_FLIGHT', '2'],
  ['--max-sessions', 'MANAGERD_MAX_SESSIONS', '2'],
  ['--handshake-timeout-ms', 'MANAGERD_HANDSHAKE_TIMEOUT_MS', '300'],
  ['--max-buffered-bytes', 'MANAGERD_MAX_BUFFERED_BYTES', '65536'],
  ['--auth-throttle-ms', 'MANAGERD_AUTH_THROTTLE_MS', '7'],
]
const base = (): Record<string, string> => ({ MANAGERD_HOME: mkdtempSync(join(tmpdir(), 'managerd-limits-')), MANAGERD_AUTHKEY: TEST_KEY })

describe.each([
  ['flags', () => startCli(['--port', '0', ...LIMITS.flatMap(([flag, , v]) => [flag, v])], base())],
  ['environment variables', () => startCli(['--port', '0'], { ...base(), ...Object.fromEntries(LIMITS.map(([, env, v]) => [env, v])) })],
])('limits set by %s', (_how, start) => {
  let d: RunningDaemon
  beforeAll(async () => {
    d = await start()
  })
  afterAll(async () => {
    d.child.kill('SIGTERM')
    await d.exited
  })

  test('max frame bytes and max in flight: announced, and enforced', async () => {
    const a = await wireSession(d.address)
    expect(a.welcome.limits).toMatchObject({ maxFrameBytes: 2048, maxInFlight: 2 })
    const queue = proxyId(await a.call(null, 'create', ['Queue']))
    a.request(1, queue, 'get', [])
    a.request(2, queue, 'get', [])
    expect(await a.call(queue, 'qsize', [])).toEqual([expect.any(Number), '#TRACEBACK', expect.objectContaining({ code: 'MANAGERD_ERR_TOO_MANY_IN_FLIGHT' })])
    a.sendRaw(enc.encode([3, null, 'dummy', ['x'.repeat(3000)]]))
    expect((await a.closed)[0]).toBe(CloseCode.MESSAGE_TOO_BIG)
  })

  test('max sessions', async () => {
    const a = await wireSession(d.address)
    const b = await wireSession(d.address)
    const c = await rawSocket(d.address)
    expect(await c.closed).toEqual([CloseCode.TOO_MANY_SESSIONS, 'too many sessions'])
    for (const s of [a, b]) s.ws.close(1000)
    await Promise.all([a.closed, b.closed])
  })

  test('handshake timeout', async () => {
    const sock = await rawSocket(d.address)
    expect((await sock.closed)[0]).toBe(CloseCode.HANDSHAKE_TIMEOUT)
  })

  test('max buffered bytes', async () => {
    const sock = await wireSession(d.address)
    const array = proxyId(await sock.call(null, 'create', ['Array', 'b', 2_000_000]))
    ;(sock.ws as unknown as { _socket: Socket })._socket.pause()
    for (let i = 0; i < 8; i++) sock.request(i, array, 'slice', []) // 2 MB of zeros each
    await eventually(() => d.logs.some((l) => l.msg === 'slow consumer shed'), 10_000, 'the shed')
    ;(sock.ws as unknown as { _socket: Socket })._socket.resume()
    expect((await sock.closed)[0]).toBe(CloseCode.SLOW_CONSUMER)
  })

  test('auth throttle', async () => {
    await expect(connect(d.address, { authkey: 'wrong' })).rejects.toBeInstanceOf(AuthenticationError)
    await eventually(() => d.logs.some((l) => l.msg === 'authentication failed'), 5000, 'the failure log')
    expect(d.logs.find((l) => l.msg === 'authentication failed')).toMatchObject({ delayMs: 7 })
  })
})
