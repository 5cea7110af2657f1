// writeMessages: frames written straight to the socket must be what ws would have sent — every
// length encoding, batches decoded as msgpack arrays of their messages, large lone messages
// through ws.send, and order kept with ws's own frames.

import { once } from 'node:events'
import WebSocket, { WebSocketServer } from 'ws'
import { Decoder, Encoder } from '../../protocol'
import { writeMessages } from '../transport/frame-writer'

const SIZES = [0, 1, 125, 126, 127, 1000, 16383, 16 * 1024, 16 * 1024 + 1, 65535, 65536, 70_000, 1 << 20]

function payloadOf(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size)
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed) & 0xff
  return b
}

describe('writeMessages', () => {
  let wss: WebSocketServer
  let serverSide: Promise<WebSocket>
  let client: WebSocket

  beforeEach(async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false })
    await once(wss, 'listening')
    serverSide = once(wss, 'connection').then(([ws]) => ws as WebSocket)
    client = new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`)
    await once(client, 'open')
  })

  afterEach(async () => {
    client.terminate()
    await new Promise((resolve) => wss.close(resolve))
  })

  function collect(count: number): Promise<Array<{ data: Buffer; isBinary: boolean }>> {
    const received: Array<{ data: Buffer; isBinary: boolean }> = []
    return new Promise((resolve) =>
      client.on('message', (data: Buffer, isBinary: boolean) => {
        received.push({ data, isBinary })
        if (received.length === count) resolve(received)
      }),
    )
  }

  it('a lone message of every size arrives as itself, in order, as a binary message', async () => {
    const ws = await serverSide
    const all = collect(SIZES.length)
    SIZES.forEach((size, i) => expect(writeMessages(ws, [payloadOf(size, i)])).toBe(size))
    const received = await all
    expect(received.map((r) => r.data.byteLength)).toEqual(SIZES)
    received.forEach((r, i) => {
      expect(r.isBinary).toBe(true)
      expect(r.data.equals(payloadOf(SIZES[i]!, i))).toBe(true)
    })
  })

  it.each([2, 15, 16, 300, 70_000])('a batch of %i messages arrives as one msgpack array of them', async (n) => {
    const ws = await serverSide
    const encoder = new Encoder()
    const expected = Array.from({ length: n }, (_, i) => [i, '#RETURN', 'x'.repeat(i % 50)])
    const messages = expected.map((m) => Buffer.from(encoder.encode(m)))
    const got = collect(1)
    const payload = writeMessages(ws, messages)
    const [frame] = await got
    expect(frame!.data.byteLength).toBe(payload)
    const decoded = new Decoder().decode(frame!.data) as unknown[][]
    expect(decoded).toHaveLength(n)
    expect(decoded.every((m, i) => m[0] === i && m[1] === '#RETURN' && m[2] === expected[i]![2])).toBe(true)
  })

  it("keeps its frames in order with ws's own (pings)", async () => {
    const ws = await serverSide
    const events: string[] = []
    client.on('ping', () => events.push('ping'))
    client.on('message', (data: Buffer) => events.push(`m${data[0]}`))
    writeMessages(ws, [Buffer.from([1])])
    ws.ping()
    writeMessages(ws, [Buffer.from([2])])
    await new Promise<void>((resolve) => {
      const check = (): void => (events.length === 3 ? resolve() : void setTimeout(check, 5))
      check()
    })
    expect(events).toEqual(['m1', 'ping', 'm2'])
  })

  it('writes nothing once the socket is closing (ws.send reports that case itself)', async () => {
    const ws = await serverSide
    const got: Buffer[] = []
    client.on('message', (d: Buffer) => got.push(d))
    ws.close(1000, 'bye')
    writeMessages(ws, [Buffer.from([9])])
    writeMessages(ws, [Buffer.from([9]), Buffer.from([10])])
    await once(client, 'close')
    expect(got).toEqual([])
  })
})
