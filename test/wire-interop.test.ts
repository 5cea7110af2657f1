// A client written by hand with msgpack-lite, ws and node:crypto — no managerd code — talks to
// the daemon: proof that the wire is plain msgpack and protocol/PROTOCOL.md is enough.
import { createHmac, randomBytes } from 'node:crypto'
import * as lite from 'msgpack-lite'
import WebSocket from 'ws'
import { TEST_KEY, startHarness } from './helpers/harness'

// PROTOCOL.md: `undefined` is fixext1 with code 0 (void methods return it), so teach msgpack-lite.
const codec = lite.createCodec()
codec.addExtUnpacker(0x00, () => undefined)
const decode = (data: Buffer): unknown => lite.decode(data, { codec })

function hmac(label: string, nonce: Buffer): Buffer {
  return createHmac('sha256', TEST_KEY).update(label).update(nonce).digest()
}

describe('wire interop with msgpack-lite', () => {
  test('handshake, create, set, get, errors, release', async () => {
    await using h = await startHarness()
    const ws = new WebSocket(`${h.address}/v1`, 'managerd.v1')
    const inbox: unknown[] = []
    const waiters: Array<(v: unknown) => void> = []
    ws.on('message', (data: Buffer) => {
      const value = decode(data)
      const w = waiters.shift()
      if (w !== undefined) w(value)
      else inbox.push(value)
    })
    const next = (): Promise<unknown> =>
      inbox.length > 0 ? Promise.resolve(inbox.shift()) : new Promise((resolve) => waiters.push(resolve))
    await new Promise((r) => ws.once('open', r))

    const [tag, algo, serverNonce] = (await next()) as [string, string, Buffer]
    expect([tag, algo, serverNonce.length]).toEqual(['#CHALLENGE', 'sha256', 32])
    const clientNonce = randomBytes(32)
    ws.send(lite.encode(['#ANSWER', hmac('managerd.v1 client', serverNonce), clientNonce, { name: 'msgpack-lite' }]))
    const [welcome, proof, info] = (await next()) as [string, Buffer, { sessionId: string; address: string }]
    expect(welcome).toBe('#WELCOME')
    expect(proof.equals(hmac('managerd.v1 server', clientNonce))).toBe(true)
    expect(info.address).toBe(h.address)

    const call = async (reqId: number, target: string | null, method: string, args: unknown[]): Promise<unknown[]> => {
      ws.send(lite.encode([reqId, target, method, args]))
      return (await next()) as unknown[]
    }
    const [id1, kind1, payload1] = await call(1, null, 'create', ['dict'])
    expect([id1, kind1]).toEqual([1, '#PROXY'])
    const { token, exposed } = payload1 as { token: { typeid: string; id: string }; exposed: string[] }
    expect(token.typeid).toBe('dict')
    expect(exposed).toContain('set')
    expect(await call(2, token.id, 'set', ['greeting', { text: 'hello', n: [1, 2, 3] }])).toEqual([2, '#RETURN', undefined])
    expect(await call(3, token.id, 'get', ['greeting'])).toEqual([3, '#RETURN', { text: 'hello', n: [1, 2, 3] }])
    expect(await call(4, token.id, 'pop', ['missing'])).toEqual([4, '#ERROR', expect.objectContaining({ name: 'KeyError' })])
    expect(await call(5, token.id, 'nope', [])).toEqual([5, '#TRACEBACK', expect.objectContaining({ code: 'MANAGERD_ERR_NOT_EXPOSED' })])
    expect(await call(6, null, 'numberOfObjects', [])).toEqual([6, '#RETURN', 1])
    expect(await call(7, null, 'decref', [token.id])).toEqual([7, '#RETURN', null])
    expect(await call(8, null, 'numberOfObjects', [])).toEqual([8, '#RETURN', 0])

    // A batch: one frame holding several requests; the replies come back (batched or not) in order.
    ws.send(lite.encode([[9, null, 'dummy', []], [10, null, 'numberOfObjects', []]]))
    const replies: unknown[][] = []
    while (replies.length < 2) {
      const frame = (await next()) as unknown[]
      if (Array.isArray(frame[0])) replies.push(...(frame as unknown[][]))
      else replies.push(frame)
    }
    expect(replies).toEqual([
      [9, '#RETURN', null],
      [10, '#RETURN', 0],
    ])
    ws.close(1000)
    await new Promise((r) => ws.once('close', r))
  })
})
