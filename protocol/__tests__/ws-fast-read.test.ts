// ws-fast-read must be invisible: whatever bytes arrive, cut into reads however the network
// cuts them, a WebSocket with the shortcut sees exactly what plain ws sees — the same messages in
// the same order, the same pings, the same close code and error. Each stream here goes through a
// real loopback socket twice, once to a plain ws endpoint and once to one with the shortcut.

import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { connect as tcpConnect, createServer, type Socket } from 'node:net'
import { setImmediate as tick } from 'node:timers/promises'
import WebSocket, { WebSocketServer } from 'ws'
import { installFastRead } from '../ws-fast-read'

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'

/** mulberry32: a seeded generator, so a failing stream can be replayed by its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

interface FrameOptions {
  fin?: boolean
  rsv?: number
  mask?: boolean
  /** Force a length encoding wider than needed (ws accepts any). */
  lengthBits?: 7 | 16 | 64
}

/** One WebSocket frame, built by hand (RFC 6455 §5.2). */
function frame(opcode: number, payload: Buffer, o: FrameOptions = {}): Buffer {
  const n = payload.length
  const bits = o.lengthBits ?? (n < 126 ? 7 : n < 0x10000 ? 16 : 64)
  const header = Buffer.alloc(2 + (bits === 16 ? 2 : bits === 64 ? 8 : 0))
  header[0] = ((o.fin ?? true) ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | opcode
  if (bits === 7) header[1] = n
  else if (bits === 16) {
    header[1] = 126
    header.writeUInt16BE(n, 2)
  } else {
    header[1] = 127
    header.writeBigUInt64BE(BigInt(n), 2)
  }
  if (o.mask !== true) return Buffer.concat([header, payload])
  header[1] = header[1]! | 0x80
  const key = createHash('sha1').update(payload).update(header).digest().subarray(0, 4)
  const masked = Buffer.from(payload)
  for (let i = 0; i < n; i++) masked[i] = masked[i]! ^ key[i & 3]!
  return Buffer.concat([header, key, masked])
}

function bytes(rand: () => number, n: number): Buffer {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256)
  return b
}

/**
 * A random stream of frames one side might send: mostly whole binary frames of every length
 * encoding, with pings, text frames and fragmented messages (a ping between fragments) mixed in.
 */
function randomFrames(seed: number, mask: boolean, count = 60): Buffer[] {
  const rand = prng(seed)
  const frames: Buffer[] = []
  for (let i = 0; i < count; i++) {
    const r = rand()
    if (r < 0.5) frames.push(frame(2, bytes(rand, Math.floor(rand() * 126)), { mask }))
    else if (r < 0.68) frames.push(frame(2, bytes(rand, 126 + Math.floor(rand() * 5000)), { mask }))
    else if (r < 0.71) frames.push(frame(2, bytes(rand, 65_536 + Math.floor(rand() * 5000)), { mask }))
    else if (r < 0.74) frames.push(frame(2, bytes(rand, Math.floor(rand() * 100)), { mask, lengthBits: 16 }))
    else if (r < 0.84) frames.push(frame(9, bytes(rand, Math.floor(rand() * 20)), { mask }))
    else if (r < 0.9) frames.push(frame(1, Buffer.from(`text ${i}`), { mask }))
    else {
      frames.push(frame(2, bytes(rand, 1 + Math.floor(rand() * 300)), { mask, fin: false }))
      if (rand() < 0.5) frames.push(frame(9, Buffer.from('mid'), { mask }))
      frames.push(frame(0, bytes(rand, Math.floor(rand() * 300)), { mask, fin: false }))
      frames.push(frame(0, bytes(rand, Math.floor(rand() * 300)), { mask }))
    }
  }
  return frames
}

/** Cut a stream into reads: often at frame boundaries (a few whole frames), often mid-frame. */
function cut(seed: number, frames: Buffer[]): Buffer[] {
  const rand = prng(seed ^ 0x5eed)
  const all = Buffer.concat(frames)
  const boundaries = new Set<number>()
  let at = 0
  for (const f of frames) {
    at += f.length
    if (rand() < 0.4) boundaries.add(at)
    if (rand() < 0.3) boundaries.add(at - Math.floor(rand() * f.length))
  }
  boundaries.add(all.length)
  const chunks: Buffer[] = []
  let from = 0
  for (const to of [...boundaries].sort((x, y) => x - y)) {
    if (to > from) chunks.push(all.subarray(from, to))
    from = Math.max(from, to)
  }
  return chunks
}

/** The frames a peer answers with (pongs, a close: all short), read back by the raw side. */
function controlFrames(buf: Buffer, masked: boolean): Array<{ opcode: number; payload: Buffer }> {
  const frames: Array<{ opcode: number; payload: Buffer }> = []
  for (let i = 0; i + 1 < buf.length; ) {
    const start = i + 2 + (masked ? 4 : 0)
    const end = start + (buf[i + 1]! & 0x7f)
    frames.push({ opcode: buf[i]! & 0x0f, payload: buf.subarray(start, Math.min(end, buf.length)) })
    i = end
  }
  return frames
}

interface Observed {
  messages: string[]
  pings: number
  close: number | null
  error: string | null
}

function recorder(ws: WebSocket, seen: Observed, done: () => void): void {
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    seen.messages.push(`${isBinary ? 'binary' : 'text'} ${data.length} ${createHash('sha1').update(data).digest('hex').slice(0, 12)}`)
  })
  ws.on('ping', () => seen.pings++)
  ws.on('error', (err: Error & { code?: string }) => (seen.error = err.code ?? err.message))
  ws.on('close', (code: number) => {
    seen.close = code
    done()
  })
}

async function writeChunks(socket: Socket, chunks: Buffer[]): Promise<void> {
  for (const c of chunks) {
    if (socket.destroyed || !socket.writable) return
    socket.write(c)
    await tick() // usually a read of its own on the other side; the outcome must not depend on it
  }
}

/** The server side: a ws server (with or without the shortcut) read by a raw client sending `chunks`. */
async function observeServer(chunks: Buffer[], fast: boolean, maxPayload = 1 << 20): Promise<Observed & { installed: boolean | null; sent: number | null }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload })
  await once(wss, 'listening')
  const seen = { messages: [], pings: 0, close: null, error: null, installed: null as boolean | null, sent: null as number | null }
  const closed = new Promise<void>((resolve) =>
    wss.on('connection', (ws) => {
      if (fast) seen.installed = installFastRead(ws)
      recorder(ws, seen, resolve)
    }),
  )
  const socket = tcpConnect((wss.address() as { port: number }).port, '127.0.0.1')
  socket.setNoDelay(true)
  socket.on('error', () => {}) // the server may cut a violator off mid-write
  await once(socket, 'connect')
  socket.write(`GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${Buffer.alloc(16, 7).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`)
  let head = ''
  while (!head.includes('\r\n\r\n')) head += ((await once(socket, 'data')) as [Buffer])[0].toString('latin1')
  expect(head).toMatch(/^HTTP\/1\.1 101 /)
  // The server's frames (pongs, then its close): `sent` is the code of the close it sent.
  let fromServer = Buffer.alloc(0)
  socket.on('data', (data: Buffer) => {
    fromServer = Buffer.concat([fromServer, data])
    for (const f of controlFrames(fromServer, false)) if (f.opcode === 8 && f.payload.length >= 2) seen.sent = f.payload.readUInt16BE(0)
  })
  await writeChunks(socket, chunks)
  await writeChunks(socket, [frame(8, Buffer.from([0x03, 0xe8]), { mask: true })]) // close 1000, if still open
  // A corrupted length can leave ws waiting for bytes that never come: then the client hangs up.
  const idle = new Promise<void>((resolve) => setTimeout(resolve, 1000).unref())
  await Promise.race([closed, idle])
  socket.destroy()
  await closed
  await new Promise((resolve) => wss.close(resolve))
  return seen
}

/** The client side: a ws client (with or without the shortcut) reading a raw server that sends `chunks`. */
async function observeClient(chunks: Buffer[], fast: boolean): Promise<Observed & { installed: boolean | null }> {
  const server = createServer((socket) => {
    socket.setNoDelay(true)
    socket.on('error', () => {})
    let handshaken = false
    socket.on('data', (data) => {
      if (!handshaken) {
        handshaken = true
        const key = /sec-websocket-key: *(\S+)/i.exec(data.toString('latin1'))![1]!
        const accept = createHash('sha1').update(key + GUID).digest('base64')
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`)
        void writeChunks(socket, [...chunks, frame(8, Buffer.from([0x03, 0xe8]))])
        return
      }
      // The client's frames (pongs, then its close): once it sends a close, the server is done.
      if (controlFrames(data, true).some((f) => f.opcode === 8)) socket.destroy()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const seen = { messages: [], pings: 0, close: null, error: null, installed: null as boolean | null }
  const ws = new WebSocket(`ws://127.0.0.1:${(server.address() as { port: number }).port}/`, { perMessageDeflate: false })
  const closed = new Promise<void>((resolve) => recorder(ws, seen, resolve))
  ws.on('open', () => {
    if (fast) seen.installed = installFastRead(ws)
  })
  await closed
  await new Promise((resolve) => server.close(resolve))
  return seen
}

describe('ws-fast-read sees what ws sees', () => {
  const seeds = Array.from({ length: 12 }, (_, i) => i + 1)

  test.each(seeds)('client → server, random frames cut at random (seed %i)', async (seed) => {
    const chunks = cut(seed, randomFrames(seed, true))
    const plain = await observeServer(chunks, false)
    const fast = await observeServer(chunks, true)
    expect(fast.installed).toBe(true)
    expect(plain).toMatchObject({ sent: 1000, close: 1000, error: null }) // the raw client's own close, echoed
    expect(plain.messages.length).toBeGreaterThan(30)
    expect({ ...fast, installed: null }).toEqual(plain)
  })

  test.each(seeds)('server → client, random frames cut at random (seed %i)', async (seed) => {
    const chunks = cut(seed, randomFrames(seed, false))
    const plain = await observeClient(chunks, false)
    const fast = await observeClient(chunks, true)
    expect(fast.installed).toBe(true)
    expect(plain).toMatchObject({ close: 1000, error: null })
    expect(plain.messages.length).toBeGreaterThan(30)
    expect({ ...fast, installed: null }).toEqual(plain)
  })

  test('client → server, random frames with bits flipped, mostly in headers (12 seeds)', async () => {
    const outcomes = new Set<string>()
    for (const seed of seeds) {
      const rand = prng(seed * 7919)
      const frames = randomFrames(seed + 100, true, 30)
      // Most flips land in a header (bits, opcode, mask bit, length), the rest anywhere.
      for (let k = 0; k < 3; k++) {
        const f = frames[Math.floor(rand() * frames.length)]!
        const at = rand() < 0.7 ? Math.floor(rand() * Math.min(f.length, 4)) : Math.floor(rand() * f.length)
        f[at] = f[at]! ^ (1 << Math.floor(rand() * 8))
      }
      const chunks = cut(seed, frames)
      const plain = await observeServer(chunks, false)
      const fast = await observeServer(chunks, true)
      expect({ seed, ...fast, installed: null }).toEqual({ seed, ...plain }) // the seed names a failing stream
      outcomes.add(`${plain.sent} ${plain.error}`)
    }
    // The flips reached ws's checks (several close reasons), not only payload bytes.
    expect(outcomes.size).toBeGreaterThan(2)
  })

  // Each case: a good frame (delivered), the frame ws must judge, then a good frame ws may or may not read.
  const good = (tag: number): Buffer => frame(2, Buffer.from([tag, 1, 2, 3]), { mask: true })
  const hostile: Array<[string, Buffer, Partial<Observed & { sent: number }>]> = [
    ['an unmasked client frame', frame(2, Buffer.from('x')), { sent: 1002, error: 'WS_ERR_EXPECTED_MASK' }],
    ['RSV1 without an extension', frame(2, Buffer.from('x'), { mask: true, rsv: 4 }), { sent: 1002, error: 'WS_ERR_UNEXPECTED_RSV_1' }],
    ['RSV2 set', frame(2, Buffer.from('x'), { mask: true, rsv: 2 }), { sent: 1002, error: 'WS_ERR_UNEXPECTED_RSV_2_3' }],
    ['a continuation with nothing to continue', frame(0, Buffer.from('x'), { mask: true }), { sent: 1002, error: 'WS_ERR_INVALID_OPCODE' }],
    ['a reserved opcode', frame(3, Buffer.from('x'), { mask: true }), { sent: 1002, error: 'WS_ERR_INVALID_OPCODE' }],
    ['a frame over maxPayload (16-bit length)', frame(2, Buffer.alloc(2000), { mask: true }), { sent: 1009, error: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' }],
    ['a fragmented ping', frame(9, Buffer.from('p'), { mask: true, fin: false }), { sent: 1002, error: 'WS_ERR_EXPECTED_FIN' }],
    ['a new message inside a fragmented one', Buffer.concat([frame(2, Buffer.from('a'), { mask: true, fin: false }), good(9)]), { sent: 1002, error: 'WS_ERR_INVALID_OPCODE' }],
    ['a close frame: what follows is not read', frame(8, Buffer.from([0x0f, 0xa0]), { mask: true }), { sent: 4000, close: 4000, error: null }],
    ['invalid UTF-8 in a text frame', frame(1, Buffer.from([0xff, 0xfe]), { mask: true }), { sent: 1007, error: 'WS_ERR_INVALID_UTF8' }],
  ]
  test.each(hostile)('what the shortcut does not take, ws judges: %s', async (_name, bad, outcome) => {
    for (const chunks of [[Buffer.concat([good(1), bad, good(2)])], [good(1), bad, good(2)], [Buffer.concat([good(1), bad.subarray(0, 1)]), Buffer.concat([bad.subarray(1), good(2)])]]) {
      const plain = await observeServer(chunks, false, 1000)
      const fast = await observeServer(chunks, true, 1000)
      expect(plain).toMatchObject(outcome)
      expect(plain.messages[0]).toMatch(/^binary 4 /)
      expect(plain.messages).toHaveLength(1) // the frame after the bad one is never delivered
      expect({ ...fast, installed: null }).toEqual(plain)
    }
  })

  test('a masked frame from the server is ws’s to refuse (1002 on the client)', async () => {
    const chunks = [frame(2, Buffer.from('ok')), frame(2, Buffer.from('masked'), { mask: true }), frame(2, Buffer.from('after'))]
    const plain = await observeClient(chunks, false)
    const fast = await observeClient(chunks, true)
    expect(plain).toMatchObject({ messages: [expect.stringMatching(/^binary 2 /)], error: 'WS_ERR_UNEXPECTED_MASK' })
    expect({ ...fast, installed: null }).toEqual(plain)
  })
})

describe('installFastRead', () => {
  test('whole binary frames, one per read, never reach ws’s Receiver.write', async () => {
    // ws exports its Receiver class (index.js), but @types/ws does not declare it.
    const { Receiver } = WebSocket as unknown as { Receiver: { prototype: { write(chunk: Buffer): boolean } } }
    const wsWrite = jest.spyOn(Receiver.prototype, 'write')
    try {
      const frames = Array.from({ length: 50 }, (_, i) => frame(2, Buffer.alloc(i * 40, i), { mask: true }))
      let installed: boolean | null = null
      let callsAfterFrames = -1
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false })
      await once(wss, 'listening')
      const got: number[] = []
      wss.on('connection', (ws) => {
        installed = installFastRead(ws)
        ws.on('message', (d: Buffer) => {
          got.push(d.length)
          if (got.length === frames.length) callsAfterFrames = wsWrite.mock.calls.length
        })
      })
      const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}/`, { perMessageDeflate: false })
      await once(client, 'open')
      const callsBefore = wsWrite.mock.calls.length
      for (const f of frames) {
        ;(client as unknown as { _socket: Socket })._socket.write(f)
        await tick()
      }
      for (let i = 0; got.length < frames.length && i < 500; i++) await new Promise((r) => setTimeout(r, 10))
      expect(installed).toBe(true)
      expect(got).toEqual(frames.map((_, i) => i * 40))
      // Only the server's reads count: the client's Receiver read nothing in between.
      expect(callsAfterFrames - callsBefore).toBe(0)
      client.close()
      await once(client, 'close')
      await new Promise((resolve) => wss.close(resolve))
    } finally {
      wsWrite.mockRestore()
    }
  })

  test('declines a socket with permessage-deflate, which it does not parse', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: true })
    await once(wss, 'listening')
    const installed = new Promise<boolean>((resolve) => wss.on('connection', (ws) => resolve(installFastRead(ws))))
    const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}/`, { perMessageDeflate: true })
    await once(client, 'open')
    expect(await installed).toBe(false)
    client.close()
    await once(client, 'close')
    await new Promise((resolve) => wss.close(resolve))
  })
})
