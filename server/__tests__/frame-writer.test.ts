// writeBinaryFrame: frames written straight to the socket must be what ws would have sent —
// every length encoding, large frames through ws.send, order kept with ws's own frames.

import { once } from 'node:events'
import WebSocket, { WebSocketServer } from 'ws'
import { writeBinaryFrame } from '../transport/frame-writer'

const SIZES = [0, 1, 125, 126, 127, 1000, 16383, 16 * 1024, 16 * 1024 + 1, 70_000, 1 << 20]

function payloadOf(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size)
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed) & 0xff
  return b
}

describe('writeBinaryFrame', () => {
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

  it('delivers every size, in order, as binary messages a ws client reads', async () => {
    const ws = await serverSide
    const received: Array<{ data: Buffer; isBinary: boolean }> = []
    const all = new Promise<void>((resolve) =>
      client.on('message', (data: Buffer, isBinary: boolean) => {
        received.push({ data, isBinary })
        if (received.length === SIZES.length) resolve()
      }),
    )
    SIZES.forEach((size, i) => writeBinaryFrame(ws, payloadOf(size, i)))
    await all
    expect(received.map((r) => r.data.byteLength)).toEqual(SIZES)
    received.forEach((r, i) => {
      expect(r.isBinary).toBe(true)
      expect(r.data.equals(payloadOf(SIZES[i]!, i))).toBe(true)
    })
  })

  it("keeps its frames in order with ws's own (pings)", async () => {
    const ws = await serverSide
    const events: string[] = []
    client.on('ping', () => events.push('ping'))
    client.on('message', (data: Buffer) => events.push(`m${data[0]}`))
    writeBinaryFrame(ws, Buffer.from([1]))
    ws.ping()
    writeBinaryFrame(ws, Buffer.from([2]))
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
    writeBinaryFrame(ws, Buffer.from([9]))
    await once(client, 'close')
    expect(got).toEqual([])
  })
})
