// Writes a server→client binary WebSocket frame straight to the socket as ONE buffer: header and
// payload together, one write() syscall. ws's Sender writes the header and the payload as two
// buffers (a corked writev) and allocates the header per frame; on these virtual machines a
// socket write costs tens of µs, so the per-call path takes the cheaper one. Large frames, and
// any socket ws is not in a state to write to, go through ws.send() as before.
//
// Safe because the daemon never enables permessage-deflate: ws's Sender then writes every frame
// (pings, close frames) synchronously to the same socket, so frame order is the call order, and
// ws.bufferedAmount still counts what this writes (it reads the socket's own write queue).

import type { Socket } from 'node:net'
import WebSocket from 'ws'

/** Above this, the copy into one buffer costs more than the second buffer of a writev. */
const COPY_LIMIT = 16 * 1024

interface WsInternals {
  _socket: Socket | null
}

const SEND_OPTIONS = { binary: true } as const

export function writeBinaryFrame(ws: WebSocket, payload: Buffer): void {
  const socket = (ws as unknown as WsInternals)._socket
  const n = payload.byteLength
  if (n > COPY_LIMIT || socket === null || ws.readyState !== WebSocket.OPEN) {
    ws.send(payload, SEND_OPTIONS)
    return
  }
  // RFC 6455 §5.2: FIN + opcode 2 (binary), no mask (server → client), 7- or 16-bit length.
  const headerBytes = n < 126 ? 2 : 4
  const frame = Buffer.allocUnsafe(headerBytes + n)
  frame[0] = 0x82
  if (headerBytes === 2) {
    frame[1] = n
  } else {
    frame[1] = 126
    frame[2] = n >>> 8
    frame[3] = n & 0xff
  }
  payload.copy(frame, headerBytes)
  socket.write(frame)
}
