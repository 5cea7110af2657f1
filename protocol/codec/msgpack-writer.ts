// The byte-level MessagePack writer: a slab that messages are written into and handed out as
// views of (no copy per message), and the scalar, header and extension formats. Encoder builds
// on it with the value rules of the protocol.

import { UnserializableError } from '../errors'
import { ExtCode } from './ext-codes'

const SLAB_BYTES = 64 * 1024
/** A new message starts a new slab when less than this is left, so most messages never move. */
const SLAB_MIN_FREE = 2048

export class MsgpackWriter {
  protected buf: Buffer = Buffer.allocUnsafeSlow(SLAB_BYTES)
  protected view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength)
  protected pos = 0
  protected start = 0

  /** Start a message. */
  protected begin(): void {
    if (this.buf.length - this.pos < SLAB_MIN_FREE) this.newSlab(SLAB_BYTES)
    this.start = this.pos
  }

  /** The message written since begin(): a view of the slab, valid for as long as it is referenced. */
  protected finish(): Buffer {
    return this.buf.subarray(this.start, this.pos)
  }

  /** Forget a half-written message (after a failure). */
  protected abort(): void {
    this.pos = this.start
  }

  protected writeNil(): void {
    this.ensure(1)
    this.buf[this.pos++] = 0xc0
  }

  protected writeBool(value: boolean): void {
    this.ensure(1)
    this.buf[this.pos++] = value ? 0xc3 : 0xc2
  }

  protected writeUndefined(): void {
    this.ensure(3)
    this.buf[this.pos++] = 0xd4
    this.buf[this.pos++] = ExtCode.UNDEFINED
    this.buf[this.pos++] = 0
  }

  private newSlab(size: number): void {
    // Views handed out earlier keep the old slab alive; it is never written again.
    const used = this.pos - this.start
    const next = Buffer.allocUnsafeSlow(Math.max(size, used * 2))
    this.buf.copy(next, 0, this.start, this.pos)
    this.buf = next
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength)
    this.start = 0
    this.pos = used
  }

  protected ensure(bytes: number): void {
    if (this.pos + bytes > this.buf.length) this.newSlab(SLAB_BYTES + bytes * 2)
  }

  protected writeNumber(n: number): void {
    this.ensure(9)
    const buf = this.buf
    if (Number.isInteger(n) && !Object.is(n, -0)) {
      if (n >= 0) {
        if (n < 0x80) {
          buf[this.pos++] = n
          return
        }
        if (n < 0x100) {
          buf[this.pos++] = 0xcc
          buf[this.pos++] = n
          return
        }
        if (n < 0x10000) {
          buf[this.pos++] = 0xcd
          buf[this.pos++] = n >>> 8
          buf[this.pos++] = n & 0xff
          return
        }
        if (n < 0x100000000) {
          buf[this.pos++] = 0xce
          this.view.setUint32(this.pos, n)
          this.pos += 4
          return
        }
      } else {
        if (n >= -0x20) {
          buf[this.pos++] = n & 0xff
          return
        }
        if (n >= -0x80) {
          buf[this.pos++] = 0xd0
          buf[this.pos++] = n & 0xff
          return
        }
        if (n >= -0x8000) {
          buf[this.pos++] = 0xd1
          this.view.setInt16(this.pos, n)
          this.pos += 2
          return
        }
        if (n >= -0x80000000) {
          buf[this.pos++] = 0xd2
          this.view.setInt32(this.pos, n)
          this.pos += 4
          return
        }
      }
    }
    // Integers beyond 32 bits stay float64 so that int64 on the wire always means BigInt.
    buf[this.pos++] = 0xcb
    this.view.setFloat64(this.pos, n)
    this.pos += 8
  }

  protected writeString(s: string): void {
    const n = s.length
    if (n < 64) {
      // Hand-written UTF-8 for short strings (keys, method names): no native call, no copy.
      this.ensure(n * 3 + 2)
      const buf = this.buf
      const headerBytes = n * 3 < 32 ? 1 : 2
      const start = this.pos
      let p = start + headerBytes
      for (let i = 0; i < n; i++) {
        let c = s.charCodeAt(i)
        if (c < 0x80) {
          buf[p++] = c
        } else if (c < 0x800) {
          buf[p++] = 0xc0 | (c >> 6)
          buf[p++] = 0x80 | (c & 0x3f)
        } else {
          if (c >= 0xd800 && c <= 0xdfff) {
            const next = i + 1 < n ? s.charCodeAt(i + 1) : 0
            if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
              c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00)
              i++
              buf[p++] = 0xf0 | (c >> 18)
              buf[p++] = 0x80 | ((c >> 12) & 0x3f)
              buf[p++] = 0x80 | ((c >> 6) & 0x3f)
              buf[p++] = 0x80 | (c & 0x3f)
              continue
            }
            c = 0xfffd // a lone surrogate becomes U+FFFD, as Buffer.write does
          }
          buf[p++] = 0xe0 | (c >> 12)
          buf[p++] = 0x80 | ((c >> 6) & 0x3f)
          buf[p++] = 0x80 | (c & 0x3f)
        }
      }
      const len = p - start - headerBytes
      if (headerBytes === 1) {
        buf[start] = 0xa0 | len
      } else if (len < 32) {
        buf.copyWithin(start + 1, start + 2, p)
        buf[start] = 0xa0 | len
        p--
      } else {
        buf[start] = 0xd9
        buf[start + 1] = len
      }
      this.pos = p
      return
    }
    const max = n * 3
    this.ensure(max + 5)
    const headerBytes = max < 0x100 ? 2 : max < 0x10000 ? 3 : 5
    const start = this.pos
    const len = this.buf.write(s, start + headerBytes, 'utf8')
    const needed = len < 0x100 ? 2 : len < 0x10000 ? 3 : 5
    if (needed < headerBytes) this.buf.copyWithin(start + needed, start + headerBytes, start + headerBytes + len)
    this.writeHeaderAt(start, needed, len, 0xd9)
    this.pos = start + needed + len
  }

  /** str8/16/32 (base 0xd9) or bin8/16/32 (base 0xc4) header of `bytes` header bytes at `at`. */
  protected writeHeaderAt(at: number, bytes: number, len: number, base: number): void {
    const buf = this.buf
    if (bytes === 2) {
      buf[at] = base
      buf[at + 1] = len
    } else if (bytes === 3) {
      buf[at] = base + 1
      buf[at + 1] = len >>> 8
      buf[at + 2] = len & 0xff
    } else {
      buf[at] = base + 2
      this.view.setUint32(at + 1, len)
    }
  }

  protected writeArrayHeader(n: number): void {
    this.ensure(5)
    if (n < 16) {
      this.buf[this.pos++] = 0x90 | n
    } else if (n < 0x10000) {
      this.buf[this.pos++] = 0xdc
      this.buf[this.pos++] = n >>> 8
      this.buf[this.pos++] = n & 0xff
    } else {
      this.buf[this.pos++] = 0xdd
      this.view.setUint32(this.pos, n)
      this.pos += 4
    }
  }

  protected writeMapHeader(n: number): void {
    this.ensure(5)
    if (n < 16) {
      this.buf[this.pos++] = 0x80 | n
    } else if (n < 0x10000) {
      this.buf[this.pos++] = 0xde
      this.buf[this.pos++] = n >>> 8
      this.buf[this.pos++] = n & 0xff
    } else {
      this.buf[this.pos++] = 0xdf
      this.view.setUint32(this.pos, n)
      this.pos += 4
    }
  }

  protected writeBin(bytes: Uint8Array): void {
    const len = bytes.byteLength
    const headerBytes = len < 0x100 ? 2 : len < 0x10000 ? 3 : 5
    this.ensure(headerBytes + len)
    this.writeHeaderAt(this.pos, headerBytes, len, 0xc4)
    this.pos += headerBytes
    this.buf.set(bytes, this.pos)
    this.pos += len
  }

  protected writeDate(date: Date): void {
    const ms = date.getTime()
    if (Number.isNaN(ms)) throw new UnserializableError('cannot encode an invalid Date')
    const seconds = Math.floor(ms / 1000)
    const nanos = (ms - seconds * 1000) * 1e6
    this.ensure(15)
    const buf = this.buf
    if (nanos === 0 && seconds >= 0 && seconds < 0x100000000) {
      buf[this.pos++] = 0xd6 // fixext4: timestamp32
      buf[this.pos++] = 0xff
      this.view.setUint32(this.pos, seconds)
      this.pos += 4
    } else if (seconds >= 0 && seconds < 0x400000000) {
      buf[this.pos++] = 0xd7 // fixext8: timestamp64 = nanos(30 bits) << 34 | seconds(34 bits)
      buf[this.pos++] = 0xff
      this.view.setUint32(this.pos, nanos * 4 + Math.floor(seconds / 0x100000000))
      this.view.setUint32(this.pos + 4, seconds >>> 0)
      this.pos += 8
    } else {
      buf[this.pos++] = 0xc7 // ext8 of 12 bytes: timestamp96 = uint32 nanos, int64 seconds
      buf[this.pos++] = 12
      buf[this.pos++] = 0xff
      this.view.setUint32(this.pos, nanos)
      this.view.setBigInt64(this.pos + 4, BigInt(seconds))
      this.pos += 12
    }
  }

  protected writeBigInt(n: bigint): void {
    this.ensure(9)
    if (n >= -0x8000000000000000n && n < 0x8000000000000000n) {
      this.buf[this.pos++] = 0xd3
      this.view.setBigInt64(this.pos, n)
      this.pos += 8
      return
    }
    if (n > 0n && n < 0x10000000000000000n) {
      this.buf[this.pos++] = 0xcf
      this.view.setBigUint64(this.pos, n)
      this.pos += 8
      return
    }
    // Two's complement, big-endian, as few bytes as keep the sign.
    let hex = BigInt.asUintN(bigIntBits(n), n).toString(16)
    if (hex.length % 2) hex = '0' + hex
    const bytes = Buffer.from(hex, 'hex')
    this.writeExt(ExtCode.BIGINT, () => {
      this.ensure(bytes.length)
      this.buf.set(bytes, this.pos)
      this.pos += bytes.length
    })
  }

  protected writeTypedArray(kind: number, arr: ArrayBufferView): void {
    const bytes = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength)
    this.writeExt(ExtCode.TYPED_ARRAY, () => {
      this.ensure(1 + bytes.length)
      this.buf[this.pos++] = kind
      this.buf.set(bytes, this.pos)
      this.pos += bytes.length
    })
  }

  /** Write an ext whose payload `body` writes; the header is sized once the payload length is known. */
  protected writeExt(type: number, body: () => void): void {
    // Reserve an ext8 header (3 bytes); widen it by moving the payload in the rare long case.
    // Offsets are kept relative to the message start: body() may move the message to a new slab.
    this.ensure(3)
    const rel = this.pos - this.start
    this.pos += 3
    body()
    let at = this.start + rel
    const len = this.pos - at - 3
    if (len < 0x100) {
      const buf = this.buf
      if (len === 1 || len === 2 || len === 4 || len === 8 || len === 16) {
        // fixext: drop the length byte
        buf.copyWithin(at + 2, at + 3, this.pos)
        buf[at] = len === 1 ? 0xd4 : len === 2 ? 0xd5 : len === 4 ? 0xd6 : len === 8 ? 0xd7 : 0xd8
        buf[at + 1] = type & 0xff
        this.pos--
      } else {
        buf[at] = 0xc7
        buf[at + 1] = len
        buf[at + 2] = type & 0xff
      }
      return
    }
    const extra = len < 0x10000 ? 1 : 3
    this.ensure(extra)
    at = this.start + rel
    const buf = this.buf
    buf.copyWithin(at + 3 + extra, at + 3, this.pos)
    if (extra === 1) {
      buf[at] = 0xc8
      buf[at + 1] = len >>> 8
      buf[at + 2] = len & 0xff
      buf[at + 3] = type & 0xff
    } else {
      buf[at] = 0xc9
      this.view.setUint32(at + 1, len)
      buf[at + 5] = type & 0xff
    }
    this.pos += extra
  }
}

function bigIntBits(n: bigint): number {
  // bits needed for n in two's complement, rounded up to whole bytes
  const magnitude = n < 0n ? -n - 1n : n
  return (Math.floor(magnitude.toString(2).length / 8) + 1) * 8
}
