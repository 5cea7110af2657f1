// The mutual HMAC handshake: wrong keys are refused, impostor daemons are refused, and nothing
// before #WELCOME is processed.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer } from 'ws'
import { AuthenticationError, connect } from '../client'
import { CloseCode, Decoder, Encoder, SUBPROTOCOL, Tag, clientProof, newNonce } from '../protocol'
import { TEST_KEY, eventually, startHarness } from './helpers/harness'
import { rawSocket } from './helpers/raw-client'

const enc = new Encoder()
const dec = new Decoder()

describe('authentication', () => {
  test('a wrong authkey is refused with AuthenticationError and gets no session', async () => {
    await using h = await startHarness({ authThrottleMs: 1 })
    const err = await connect(h.address, { authkey: 'wrong-key' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AuthenticationError)
    expect((err as AuthenticationError).code).toBe('MANAGERD_ERR_AUTH_FAILED')
    expect(h.daemon.core.sessions.size).toBe(0)
    expect(h.daemon.stats.authFailures).toBe(1)
    expect(h.logs.find('authentication failed')).toHaveLength(1)
    expect(h.logs.text()).not.toContain(TEST_KEY)
  })

  test('the right key gets a session', async () => {
    await using h = await startHarness()
    const m = await h.client({ name: 'ok' })
    expect(m.sessionId).toMatch(/^s-/)
    expect(h.daemon.core.sessions.size).toBe(1)
  })

  test('a request sent instead of the answer is not processed', async () => {
    await using h = await startHarness({ authThrottleMs: 1 })
    const sock = await rawSocket(h.address)
    const challenge = dec.decode(await sock.next()) as unknown[]
    expect(challenge[0]).toBe(Tag.CHALLENGE)
    sock.ws.send(enc.encode([1, null, 'create', ['dict']]))
    const reply = dec.decode(await sock.next()) as unknown[]
    expect(reply).toEqual([Tag.FAILURE, 'authentication failed'])
    expect((await sock.closed)[0]).toBe(CloseCode.AUTH_FAILED)
    expect(h.daemon.core.table.size).toBe(0)
  })

  test('a wrong MAC and a malformed answer get the same failure', async () => {
    await using h = await startHarness({ authThrottleMs: 1 })
    for (const answer of [
      (nonce: Uint8Array) => [Tag.ANSWER, clientProof('not the key', nonce), newNonce(), {}],
      () => [Tag.ANSWER, 'not bytes', newNonce(), {}],
      (nonce: Uint8Array) => [Tag.ANSWER, clientProof(TEST_KEY, nonce), Buffer.alloc(2), {}], // nonce too short
      () => 'garbage',
    ]) {
      const sock = await rawSocket(h.address)
      const [, , nonce] = dec.decode(await sock.next()) as [string, string, Uint8Array]
      sock.ws.send(enc.encode(answer(nonce)))
      expect(dec.decode(await sock.next())).toEqual([Tag.FAILURE, 'authentication failed'])
      expect((await sock.closed)[0]).toBe(CloseCode.AUTH_FAILED)
    }
    expect(h.daemon.core.sessions.size).toBe(0)
  })

  // A session that failed (or never finished) the handshake gets no object access: whatever it
  // sends around its answer is never dispatched, and nothing but #FAILURE comes back.
  const refusedSessions: Array<[string, (nonce: Uint8Array) => unknown[]]> = [
    [
      'a wrong answer followed at once by requests and a batch',
      (nonce) => [
        [Tag.ANSWER, clientProof('not the key', nonce), newNonce(), {}],
        [1, null, 'create', ['dict']],
        [[2, null, 'create', ['list']], [3, null, 'numberOfObjects', []]],
      ],
    ],
    [
      'a right answer batched with a request in one frame',
      (nonce) => [[[Tag.ANSWER, clientProof(TEST_KEY, nonce), newNonce(), {}], [1, null, 'create', ['dict']]]],
    ],
    [
      'a request, then the right answer',
      (nonce) => [
        [1, null, 'create', ['dict']],
        [Tag.ANSWER, clientProof(TEST_KEY, nonce), newNonce(), {}],
        [2, null, 'create', ['dict']],
      ],
    ],
  ]
  test.each(refusedSessions)('%s: nothing is dispatched, only #FAILURE comes back', async (_name, frames) => {
    await using h = await startHarness({ authThrottleMs: 50 })
    const sock = await rawSocket(h.address)
    const [, , nonce] = dec.decode(await sock.next()) as [string, string, Uint8Array]
    for (const frame of frames(nonce)) sock.ws.send(enc.encode(frame))
    expect((await sock.closed)[0]).toBe(CloseCode.AUTH_FAILED)
    expect(sock.frames.slice(1).map((f) => dec.decode(f))).toEqual([[Tag.FAILURE, 'authentication failed']])
    expect(h.daemon.core.table.size).toBe(0)
    expect(h.daemon.core.sessions.size).toBe(0)
    expect(h.daemon.stats.authFailures).toBe(1)
  })

  test('repeated failures from one address are slowed down', async () => {
    await using h = await startHarness({ authThrottleMs: 5 })
    for (let i = 0; i < 4; i++) await connect(h.address, { authkey: 'wrong' }).catch(() => {})
    const delays = h.logs.find('authentication failed').map((l) => l.delayMs)
    expect(delays).toEqual([5, 10, 20, 40])
    // success clears the record
    await (await h.client()).close()
    await connect(h.address, { authkey: 'wrong' }).catch(() => {})
    expect(h.logs.find('authentication failed').at(-1)?.delayMs).toBe(5)
  })

  test('a silent client is dropped at the handshake timeout', async () => {
    await using h = await startHarness({ handshakeTimeoutMs: 100 })
    const sock = await rawSocket(h.address)
    expect((await sock.closed)[0]).toBe(CloseCode.HANDSHAKE_TIMEOUT)
  })

  test('a client without the subprotocol is refused', async () => {
    await using h = await startHarness()
    const sock = await rawSocket(h.address, null)
    expect((await sock.closed)[0]).toBe(CloseCode.PROTOCOL_ERROR)
  })

  test('the client refuses a daemon that cannot prove it knows the key', async () => {
    const http = createServer()
    const wss = new WebSocketServer({ server: http, handleProtocols: () => SUBPROTOCOL })
    let sawAnswer = false
    let clientClosed = false
    wss.on('connection', (ws) => {
      ws.send(enc.encode([Tag.CHALLENGE, 'sha256', newNonce()]))
      ws.on('message', () => {
        sawAnswer = true
        // An impostor: it cannot compute HMAC(key, label ‖ clientNonce), so it sends junk.
        ws.send(enc.encode([Tag.WELCOME, Buffer.alloc(32, 7), { sessionId: 's-fake', resumeToken: 'x', address: 'ws://fake', version: 1, limits: {} }]))
      })
      ws.on('close', () => (clientClosed = true))
    })
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r))
    const { port } = http.address() as AddressInfo
    try {
      const err = await connect(`ws://127.0.0.1:${port}`, { authkey: TEST_KEY }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(AuthenticationError)
      expect((err as Error).message).toMatch(/could not prove/)
      expect(sawAnswer).toBe(true)
      await eventually(() => clientClosed, 5000, 'the client to hang up on the impostor')
    } finally {
      wss.close()
      http.close()
    }
  })
})
