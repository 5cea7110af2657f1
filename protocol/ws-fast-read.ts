// A shortcut past ws's Receiver for the one frame the per-call path is made of: a whole, final,
// uncompressed binary frame with a 7- or 16-bit length, masked as its direction requires, that
// arrives complete in one socket read. ws's Receiver is a Writable stream with a state machine;
// for every frame it runs the stream's write machinery, a parse loop, a fragment list and a
// next-tick write callback. Skipping that took the daemon from 32.7k to 30.5k instructions per
// sequential call, against the bare ws floor's 27.1k (npm run bench:instructions).
//
// How it stays ws: it replaces the Receiver instance's write(), which ws's own socket listener
// calls, and takes frames only while the Receiver sits at a frame boundary with nothing buffered,
// nothing fragmented and no error, on an open socket. For those it does what ws does (unmask in
// place, emit 'message' on the Receiver with a view of the chunk, synchronously); at the first
// byte of anything else — a control frame, a fragment, a text frame, a bad bit, a frame over
// maxPayload or cut by the read — it hands the rest of the chunk to ws's write() and ws decides,
// with its close codes. ws still removes its socket listener on a close frame or an error, and
// still applies backpressure. Used by the daemon's connections and the client's link.

import WebSocket from 'ws'

/** ws's Receiver, as far as the shortcut reads it (ws 8: lib/receiver.js). */
interface ReceiverInternals {
  write(chunk: Buffer): boolean
  emit(event: 'message', data: Buffer, isBinary: boolean): boolean
  _state: number
  _bufferedBytes: number
  _fragmented: number
  _errored: boolean
  _loop: boolean
  _opcode: number
  _isServer: boolean
  _maxPayload: number
  _binaryType: string
  _allowSynchronousEvents: boolean
  _extensions: Record<string, unknown>
  readonly writableLength: number
  readonly destroyed: boolean
}

/** ws's Receiver state "read the next frame's first two bytes". */
const GET_INFO = 0
/** FIN set, RSV1–3 clear, opcode 2 (binary): RFC 6455 §5.2. */
const FINAL_BINARY = 0x82

function looksLikeWsReceiver(r: unknown): r is ReceiverInternals {
  const x = r as Partial<ReceiverInternals> | null | undefined
  return (
    x != null &&
    typeof x.write === 'function' &&
    typeof x._state === 'number' &&
    typeof x._bufferedBytes === 'number' &&
    typeof x._fragmented === 'number' &&
    typeof x._errored === 'boolean' &&
    typeof x._loop === 'boolean' &&
    typeof x._opcode === 'number' &&
    typeof x._isServer === 'boolean' &&
    typeof x._maxPayload === 'number' &&
    typeof x._binaryType === 'string' &&
    x._allowSynchronousEvents === true &&
    typeof x._extensions === 'object'
  )
}

/**
 * Install the shortcut on an open WebSocket. Returns false, leaving ws as it was, when the
 * Receiver is not the one this was written against (another ws version) or the socket uses an
 * extension (permessage-deflate) or delivers anything but Buffers.
 */
export function installFastRead(ws: WebSocket): boolean {
  const receiver = (ws as unknown as { _receiver?: unknown })._receiver
  if (!looksLikeWsReceiver(receiver) || Object.keys(receiver._extensions).length > 0 || receiver._binaryType !== 'nodebuffer') return false
  const wsWrite = receiver.write
  const masked = receiver._isServer // a client's frames are masked, a server's are not (RFC 6455 §5.3)
  receiver.write = function fastWrite(this: ReceiverInternals, chunk: Buffer): boolean {
    if (!atFrameBoundary(this, ws)) return wsWrite.call(this, chunk)
    const n = chunk.length
    const max = this._maxPayload
    let off = 0
    while (n - off >= 2) {
      const second = chunk[off + 1]!
      if (chunk[off] !== FINAL_BINARY || (second & 0x80) !== (masked ? 0x80 : 0)) break
      let length = second & 0x7f
      let header = 2
      if (length === 126) {
        if (n - off < 4) break
        length = (chunk[off + 2]! << 8) | chunk[off + 3]!
        header = 4
      } else if (length === 127) {
        break // 64-bit lengths (64 KiB and up) are rare and ws checks them
      }
      if (max > 0 && length > max) break // ws closes with 1009
      const start = off + header + (masked ? 4 : 0)
      const end = start + length
      if (end > n) break // cut by the read: ws buffers it
      if (masked) unmask(chunk, start - 4, start, end)
      off = end
      this.emit('message', chunk.subarray(start, end), true)
      // The handler may have closed the socket or changed what it wants: ws reads the rest.
      if (!atFrameBoundary(this, ws)) break
    }
    if (off === n) return true
    return wsWrite.call(this, off === 0 ? chunk : chunk.subarray(off))
  }
  return true
}

function atFrameBoundary(r: ReceiverInternals, ws: WebSocket): boolean {
  return (
    r._state === GET_INFO &&
    r._bufferedBytes === 0 &&
    r._fragmented === 0 &&
    !r._errored &&
    !r._loop &&
    r._opcode !== 0x08 && // a close frame was read: ws ignores what follows
    r.writableLength === 0 &&
    !r.destroyed &&
    r._binaryType === 'nodebuffer' &&
    ws.readyState === WebSocket.OPEN
  )
}

/** XOR `buf[start, end)` with the 4-byte mask at `maskAt` (RFC 6455 §5.3), in place, as ws does. */
function unmask(buf: Buffer, maskAt: number, start: number, end: number): void {
  const m0 = buf[maskAt]!
  const m1 = buf[maskAt + 1]!
  const m2 = buf[maskAt + 2]!
  const m3 = buf[maskAt + 3]!
  let i = start
  for (; i + 3 < end; i += 4) {
    buf[i] = buf[i]! ^ m0
    buf[i + 1] = buf[i + 1]! ^ m1
    buf[i + 2] = buf[i + 2]! ^ m2
    buf[i + 3] = buf[i + 3]! ^ m3
  }
  const rest = end - i
  if (rest > 0) buf[i] = buf[i]! ^ m0
  if (rest > 1) buf[i + 1] = buf[i + 1]! ^ m1
  if (rest > 2) buf[i + 2] = buf[i + 2]! ^ m2
}
