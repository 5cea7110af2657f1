// The floor: a bare ws + msgpackr server that decodes [id, method, args], does a Map get/set and
// replies [id, result] — what any RPC over this transport must at least cost. 'naive' sends a
// frame per reply; 'corked' batches the replies of one tick into one socket write.

import { Packr, Unpackr } from 'msgpackr'
import { WebSocketServer, type WebSocket } from 'ws'

const mode = process.argv[2] === 'corked' ? 'corked' : 'naive'
const packr = new Packr({ useRecords: false })
const unpackr = new Unpackr({ useRecords: false })
const store = new Map<unknown, unknown>()

function handle(msg: unknown): unknown[] {
  const [id, method, args] = msg as [number, string, unknown[]]
  if (method === 'set') {
    store.set(args[0], args[1])
    return [id, null]
  }
  return [id, store.get(args[0]) ?? null]
}

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false })
wss.on('connection', (ws: WebSocket) => {
  const socket = (ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket
  let corked = false
  ws.on('message', (data: Buffer) => {
    const reply = packr.pack(handle(unpackr.unpack(data)))
    if (mode === 'naive') return ws.send(reply)
    if (!corked) {
      corked = true
      socket.cork()
      setImmediate(() => {
        corked = false
        socket.uncork()
      })
    }
    ws.send(reply)
  })
})
wss.on('listening', () => {
  const { port } = wss.address() as { port: number }
  process.send!({ ready: true, address: `ws://127.0.0.1:${port}`, pid: process.pid })
})
process.on('disconnect', () => process.exit(0))
