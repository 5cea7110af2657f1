// Frame assembly: several encoded messages become one batch frame (a msgpack array of messages).

/** Bytes of the msgpack array header of a batch of `n` messages. */
export function batchHeaderSize(n: number): number {
  return n < 16 ? 1 : n < 0x10000 ? 3 : 5
}

/**
 * Write the batch of `messages` (its array header, then each message) into `out` at `pos`;
 * `out` must have room for batchHeaderSize(n) plus every message. Returns the end position.
 */
export function writeBatch(out: Buffer, pos: number, messages: readonly Uint8Array[]): number {
  const n = messages.length
  if (n < 16) {
    out[pos++] = 0x90 | n
  } else if (n < 0x10000) {
    out[pos] = 0xdc
    out.writeUInt16BE(n, pos + 1)
    pos += 3
  } else {
    out[pos] = 0xdd
    out.writeUInt32BE(n, pos + 1)
    pos += 5
  }
  for (let i = 0; i < n; i++) {
    const m = messages[i]!
    out.set(m, pos)
    pos += m.byteLength
  }
  return pos
}

/** Join encoded messages into one frame: one message as is, several as a msgpack array of them. */
export function joinBatch(messages: readonly Uint8Array[]): Buffer {
  const n = messages.length
  if (n === 1) {
    const only = messages[0]!
    return Buffer.isBuffer(only) ? only : Buffer.from(only.buffer, only.byteOffset, only.byteLength)
  }
  let total = batchHeaderSize(n)
  for (let i = 0; i < n; i++) total += messages[i]!.byteLength
  const out = Buffer.allocUnsafe(total)
  writeBatch(out, 0, messages)
  return out
}
