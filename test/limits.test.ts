// The daemon's limits over real sockets: frame size (1009), calls in flight (TooManyInFlightError),
// sessions (4004) and the handshake timeout (4002, or a dropped TCP peer). Each hits one
// connection only: a bystander session is served throughout, its objects unchanged.
import { connect as tcpConnect, type Socket } from 'node:net'
import { CloseCode, Tag, clientProof, newNonce } from '../protocol'
import { TEST_KEY, eventually, startHarness } from './helpers/harness'
import { rawSocket } from './helpers/raw-client'
import { bystander, dec, enc, proxyId, wireSession, type WireSocket } from './helpers/wire'

/** Read `n` messages, counting them by kind (and by error code for #TRACEBACK). */
async function drain(sock: WireSocket, n: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>()
  for (let i = 0; i < n; i++) {
    const m = await sock.message()
    const key = m[1] === '#TRACEBACK' ? `#TRACEBACK ${(m[2] as { code: string }).code}` : String(m[1])
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return counts
}

describe('maximum frame size', () => {
  test('a frame of exactly --max-frame-bytes is served; one byte more closes that connection with 1009', async () => {
    await using h = await startHarness({ maxFrameBytes: 4096 })
    const b = await bystander(await h.client())
    const sock = await wireSession(h.address)
    expect(sock.welcome.limits.maxFrameBytes).toBe(4096)
    const dict = proxyId(await sock.call(null, 'create', ['dict']))
    const frameOf = (n: number): Buffer => enc.encode([1, dict, 'set', ['k', 'x'.repeat(n)]])
    const fits = 4096 - (frameOf(1000).length - 1000)
    expect(frameOf(fits).length).toBe(4096)
    sock.sendRaw(frameOf(fits))
    expect(await sock.message()).toEqual([1, '#RETURN', undefined])
    sock.sendRaw(frameOf(fits + 1))
    expect((await sock.closed)[0]).toBe(CloseCode.MESSAGE_TOO_BIG)
    await eventually(() => h.daemon.core.sessions.size === 1, 5000, 'the session to end')
    await b.check()
    await b.dict.$release()
  })
})

describe('calls in flight', () => {
  test('one frame of 20 000 blocking calls parks --max-in-flight of them; the rest get TooManyInFlightError', async () => {
    await using h = await startHarness({ maxInFlight: 100 })
    const b = await bystander(await h.client())
    const sock = await wireSession(h.address)
    expect(sock.welcome.limits.maxInFlight).toBe(100)
    const queue = proxyId(await sock.call(null, 'create', ['Queue']))
    sock.sendRaw(enc.encode(Array.from({ length: 20_000 }, (_, i) => [i, queue, 'get', []])))
    const counts = await drain(sock, 19_900)
    expect([...counts]).toEqual([['#TRACEBACK MANAGERD_ERR_TOO_MANY_IN_FLIGHT', 19_900]])
    const session = [...h.daemon.core.sessions.values()].find((s) => s.id === sock.welcome.sessionId)!
    expect(session.parked.size).toBe(100)
    // the connection stays; while the session is full, any call is refused (a put too)
    expect(await sock.call(queue, 'put', ['x'])).toEqual([expect.any(Number), '#TRACEBACK', expect.objectContaining({ name: 'TooManyInFlightError' })])
    await b.check()
    sock.ws.close(1000)
    await sock.closed
    await eventually(() => h.daemon.core.table.size === 1, 5000, "the hostile session's queue to be freed")
    await b.dict.$release()
  })

  test('one frame of 200 000 calls is answered in full, in frames of at most 4096 replies', async () => {
    await using h = await startHarness()
    const b = await bystander(await h.client())
    const sock = await wireSession(h.address)
    sock.sendRaw(enc.encode(Array.from({ length: 200_000 }, (_, i) => [i, null, 'dummy', []])))
    const counts = await drain(sock, 200_000)
    expect([...counts]).toEqual([['#RETURN', 200_000]])
    expect(Math.max(...sock.frameSizes)).toBeLessThanOrEqual(4096)
    await b.check()
    sock.ws.close(1000)
    await sock.closed
    await b.dict.$release()
  })
})

describe('maximum sessions', () => {
  test('a connection over --max-sessions is closed with 4004; the others are unaffected', async () => {
    await using h = await startHarness({ maxSessions: 2 })
    const b = await bystander(await h.client())
    const second = await h.client()
    const third = await rawSocket(h.address)
    expect(await third.closed).toEqual([CloseCode.TOO_MANY_SESSIONS, 'too many sessions'])
    expect(h.logs.find('session limit reached')).toHaveLength(1)
    await b.check()
    await second.close()
    await eventually(() => h.daemon.connections.size === 1, 5000, 'the second session to go')
    const again = await wireSession(h.address)
    expect(again.welcome.sessionId).toMatch(/^s-/)
    again.ws.close(1000)
    await again.closed
    await b.dict.$release()
  })

  test('a session awaiting resume counts: a new one is closed with 4004 after the handshake, a resume is let in', async () => {
    await using h = await startHarness({ maxSessions: 2 })
    const b = await bystander(await h.client())
    const dropped = await wireSession(h.address)
    dropped.ws.terminate() // no close frame: the session waits for a resume
    await eventually(() => h.daemon.connections.size === 1, 5000, 'the dropped connection to go')
    expect(h.daemon.core.sessions.size).toBe(2)
    const fresh = await rawSocket(h.address)
    const [, , nonce] = dec.decode(await fresh.next()) as [string, string, Uint8Array]
    fresh.ws.send(enc.encode([Tag.ANSWER, clientProof(TEST_KEY, nonce), newNonce(), {}]))
    expect(await fresh.closed).toEqual([CloseCode.TOO_MANY_SESSIONS, 'too many sessions'])
    expect(fresh.frames).toHaveLength(1) // the challenge only: no #WELCOME
    const resumed = await wireSession(h.address, undefined, { resume: dropped.welcome.resumeToken })
    expect(resumed.welcome).toMatchObject({ resumed: true, sessionId: dropped.welcome.sessionId })
    resumed.ws.close(1000)
    await resumed.closed
    await b.check()
    await b.dict.$release()
  })
})

/** A TCP peer below WebSocket: `send` is written once connected; resolves when the daemon hangs up. */
function tcpPeer(port: number, send: string): Promise<'closed by the daemon'> {
  return new Promise((resolve) => {
    const sock: Socket = tcpConnect(port, '127.0.0.1', () => {
      if (send !== '') sock.write(send)
    })
    sock.on('error', () => {})
    sock.on('close', () => resolve('closed by the daemon'))
  })
}

describe('handshake timeout', () => {
  const TIMEOUT = 200
  test('a WebSocket that says nothing is closed with 4002', async () => {
    await using h = await startHarness({ handshakeTimeoutMs: TIMEOUT })
    const b = await bystander(await h.client())
    const sock = await rawSocket(h.address)
    expect(await sock.closed).toEqual([CloseCode.HANDSHAKE_TIMEOUT, 'handshake timeout'])
    expect(h.daemon.core.sessions.size).toBe(1)
    await b.check()
    await b.dict.$release()
  })

  test('a WebSocket that sends half of its answer frame is closed with 4002', async () => {
    await using h = await startHarness({ handshakeTimeoutMs: TIMEOUT })
    const b = await bystander(await h.client())
    const sock = await rawSocket(h.address)
    await sock.next() // the challenge
    // a masked binary frame header announcing 100 payload bytes, then only 10 of them
    const socket = (sock.ws as unknown as { _socket: Socket })._socket
    socket.write(Buffer.concat([Buffer.from([0x82, 0x80 | 100, 1, 2, 3, 4]), Buffer.alloc(10)]))
    expect((await sock.closed)[0]).toBe(CloseCode.HANDSHAKE_TIMEOUT)
    await eventually(() => h.daemon.connections.size === 1, 5000, 'the connection to go')
    await b.check()
    await b.dict.$release()
  })

  test.each([
    ['a TCP peer that never sends its HTTP request', ''],
    ['a TCP peer that sends half an HTTP upgrade request', 'GET /v1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: webso'],
  ])('%s is dropped', async (_name, send) => {
    await using h = await startHarness({ handshakeTimeoutMs: TIMEOUT })
    const b = await bystander(await h.client())
    expect(await tcpPeer(h.daemon.port, send)).toBe('closed by the daemon')
    await b.check()
    await b.dict.$release()
  })
})
