// Writes a server→client binary WebSocket frame straight to the socket as ONE buffer — WebSocket
// header, batch header and messages together, one copy, one write() syscall. ws's Sender would
// write the header and the payload as two buffers (a corked writev) after joinBatch had already
// copied the messages once; on these virtual machines a socket write costs tens of µs, so the
// per-call path takes the cheaper way. A single large message (a big value) is not copied: it
// goes through ws.send(), as does anything for a socket ws is not in a state to write to.
//
// Safe because the daemon never enables permessage-deflate: ws's Sender then writes every frame
// (pings, close frames) synchronously to the same socket, so frame order is the call order, and
// ws.bufferedAmount still counts what this writes (it reads the socket's own write queue).

import type { Socket } from 'node:net'
import WebSocket from 'ws'
import { batchHeaderSize, joinBatch, writeBatch } from '../../protocol'

/** A lone message above this is sent without a copy (two buffers) rather than copied into one. */
const COPY_LIMIT = 16 * 1024

interface WsInternals {
  _socket: Socket | null
}

const SEND_OPTIONS = { binary: true } as const

/** Send `messages` (one or more encoded messages, as the peer queued them) as one frame. */
export function writeMessages(ws: WebSocket, messages: readonly Buffer[]): number {
  const n = messages.length
  const socket = (ws as unknown as WsInternals)._socket
  if (socket === null || ws.readyState !== WebSocket.OPEN || (n === 1 && messages[0]!.byteLength > COPY_LIMIT)) {
    const frame = joinBatch(messages) // one message: itself, no copy
    ws.send(frame, SEND_OPTIONS) // not open: ws reports that case as it does
    return frame.byteLength
  }
  let payload = n === 1 ? 0 : batchHeaderSize(n)
  for (let i = 0; i < n; i++) payload += messages[i]!.byteLength
  // RFC 6455 §5.2: FIN + opcode 2 (binary), no mask (server → client), 7-, 16- or 64-bit length.
  const headerBytes = payload < 126 ? 2 : payload < 0x10000 ? 4 : 10
  const frame = Buffer.allocUnsafe(headerBytes + payload)
  frame[0] = 0x82
  if (headerBytes === 2) {
    frame[1] = payload
  } else if (headerBytes === 4) {
    frame[1] = 126
    frame.writeUInt16BE(payload, 2)
  } else {
    frame[1] = 127
    frame.writeUInt32BE(Math.floor(payload / 2 ** 32), 2)
    frame.writeUInt32BE(payload >>> 0, 6)
  }
  if (n === 1) frame.set(messages[0]!, headerBytes)
  else writeBatch(frame, headerBytes, messages)
  socket.write(frame)
  return payload
}
