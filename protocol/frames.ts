// Frame assembly: several encoded messages become one batch frame (a msgpack array of messages).

/** Join encoded messages into one frame: one message as is, several as a msgpack array of them. */
export function joinBatch(messages: readonly Uint8Array[]): Buffer {
  const n = messages.length
  if (n === 1) {
    const only = messages[0]!
    return Buffer.isBuffer(only) ? only : Buffer.from(only.buffer, only.byteOffset, only.byteLength)
  }
  let total = n < 16 ? 1 : n < 0x10000 ? 3 : 5
  for (let i = 0; i < n; i++) total += messages[i]!.byteLength
  const out = Buffer.allocUnsafe(total)
  let pos: number
  if (n < 16) {
    out[0] = 0x90 | n
    pos = 1
  } else if (n < 0x10000) {
    out[0] = 0xdc
    out.writeUInt16BE(n, 1)
    pos = 3
  } else {
    out[0] = 0xdd
    out.writeUInt32BE(n, 1)
    pos = 5
  }
  for (let i = 0; i < n; i++) {
    const m = messages[i]!
    out.set(m, pos)
    pos += m.byteLength
  }
  return out
}
