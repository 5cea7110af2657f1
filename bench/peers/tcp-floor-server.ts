// Node's own I/O floor: a raw TCP server that echoes length-prefixed frames — no WebSocket, no
// msgpack, no dispatch. What any Node server costs per round trip on this machine (a read, a
// write, an event-loop turn), set beside Redis's C server to tell what a Node daemon can reach.

import { createServer, type Socket } from 'node:net'

/** Every complete frame ([u32 length][bytes]) in `pending` goes back in one write; the rest waits. */
function echo(socket: Socket): void {
  let pending: Buffer | null = null
  socket.setNoDelay(true)
  socket.on('data', (chunk: Buffer) => {
    const buf = pending === null ? chunk : Buffer.concat([pending, chunk])
    let end = 0
    while (end + 4 <= buf.length && end + 4 + buf.readUInt32BE(end) <= buf.length) end += 4 + buf.readUInt32BE(end)
    if (end > 0) socket.write(end === buf.length ? buf : buf.subarray(0, end))
    pending = end === buf.length ? null : buf.subarray(end)
  })
  socket.on('error', () => socket.destroy())
}

const server = createServer(echo)
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number }
  process.send!({ ready: true, address: `tcp://127.0.0.1:${port}`, pid: process.pid })
})
process.on('disconnect', () => process.exit(0))
