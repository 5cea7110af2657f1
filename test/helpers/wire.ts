// Speaking the wire by hand for hostile-input tests: an authenticated raw socket that sends any
// bytes and reads decoded messages (batches split), a bare HTTP upgrade for what the ws client
// refuses to do, and a bystander session whose objects must never change.

import { connect as tcpConnect } from 'node:net'
import { randomBytes } from 'node:crypto'
import type { Manager, DictProxy } from '../../client'
import { Decoder, Encoder, Tag, clientProof, newNonce, type WelcomeInfo } from '../../protocol'
import { TEST_KEY } from './harness'
import { rawSocket, type RawSocket } from './raw-client'

/** A reference in a reply, as this test side sees it. */
export class WireRef {
  constructor(
    readonly typeid: string,
    readonly id: string,
  ) {}
}

export const enc = new Encoder({ cls: WireRef, toWire: (r: WireRef) => [r.typeid, r.id] })
export const dec = new Decoder((typeid, id) => new WireRef(typeid, id))

export interface WireSocket extends RawSocket {
  welcome: WelcomeInfo
  /** Send bytes as one binary frame (or a string as a text frame). */
  sendRaw(frame: Uint8Array | string): void
  /** Send one request. */
  request(reqId: number, target: string | null, method: string, args: unknown[]): void
  /** The next message from the daemon (a batch frame yields its messages one by one). */
  message(timeoutMs?: number): Promise<unknown[]>
  /** Send a request and wait for its reply (other messages in between are kept). */
  call(target: string | null, method: string, args: unknown[]): Promise<unknown[]>
  /** Messages per frame received so far (to check how replies were batched). */
  frameSizes: number[]
}

let nextCallId = 1_000_000

/** A raw socket through the handshake: `#ANSWER` with the right MAC, `#WELCOME` back. */
export async function wireSession(
  address: string,
  key = TEST_KEY,
  hello: Record<string, unknown> = {},
  options: { localAddress?: string } = {},
): Promise<WireSocket> {
  const sock = await rawSocket(address, undefined, options)
  const [, , nonce] = dec.decode(await sock.next()) as [string, string, Uint8Array]
  sock.ws.send(enc.encode([Tag.ANSWER, clientProof(key, nonce), newNonce(), hello]))
  const welcome = dec.decode(await sock.next()) as [string, Uint8Array, WelcomeInfo]
  if (welcome[0] !== Tag.WELCOME) throw new Error(`expected #WELCOME, got ${String(welcome[0])}`)
  const inbox: unknown[][] = []
  const frameSizes: number[] = []
  let decodedFrames = 0
  const pump = (): void => {
    while (decodedFrames < sock.frames.length - 2) {
      const v = dec.decode(sock.frames[2 + decodedFrames++]!) as unknown[]
      if (Array.isArray(v[0])) {
        inbox.push(...(v as unknown[][]))
        frameSizes.push(v.length)
      } else {
        inbox.push(v)
        frameSizes.push(1)
      }
    }
  }
  // Wakes message() when a frame arrives or the socket closes (own listeners: no timers left behind).
  let wake: (() => void) | null = null
  sock.ws.on('message', () => wake?.())
  sock.ws.on('close', () => wake?.())
  const message = async (timeoutMs = 10_000): Promise<unknown[]> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      pump()
      const m = inbox.shift()
      if (m !== undefined) return m
      if (sock.ws.readyState === sock.ws.CLOSED) throw new Error(`socket closed: ${JSON.stringify(await sock.closed)}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error('no message arrived')
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        wake = () => {
          clearTimeout(timer)
          wake = null
          resolve()
        }
      })
    }
  }
  return Object.assign(sock, {
    welcome: welcome[2],
    frameSizes,
    sendRaw(frame: Uint8Array | string) {
      sock.ws.send(frame, { binary: typeof frame !== 'string' })
    },
    request(reqId: number, target: string | null, method: string, args: unknown[]) {
      sock.ws.send(enc.encode([reqId, target, method, args]))
    },
    message,
    async call(target: string | null, method: string, args: unknown[]) {
      const reqId = nextCallId++
      sock.ws.send(enc.encode([reqId, target, method, args]))
      const held: unknown[][] = []
      for (;;) {
        const m = await message()
        if (m[0] === reqId) {
          inbox.unshift(...held)
          return m
        }
        held.push(m)
      }
    },
  })
}

/** The id in a #PROXY reply. */
export function proxyId(reply: unknown[]): string {
  if (reply[1] !== '#PROXY') throw new Error(`expected #PROXY, got ${JSON.stringify(reply)}`)
  return (reply[2] as { token: { id: string } }).token.id
}

/**
 * A WebSocket upgrade by hand (the ws client refuses a server that picks no subprotocol):
 * returns the HTTP status line and the close code of the first frame the daemon sends.
 */
export function rawUpgrade(port: number, protocol: string | null): Promise<{ status: string; closeCode: number | null }> {
  return new Promise((resolve, reject) => {
    const sock = tcpConnect(port, '127.0.0.1')
    let buf = Buffer.alloc(0)
    sock.on('connect', () => {
      const lines = [
        'GET /v1 HTTP/1.1',
        `Host: 127.0.0.1:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        ...(protocol === null ? [] : [`Sec-WebSocket-Protocol: ${protocol}`]),
      ]
      sock.write(lines.join('\r\n') + '\r\n\r\n')
    })
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk])
      const end = buf.indexOf('\r\n\r\n')
      if (end < 0) return
      const status = buf.subarray(0, buf.indexOf('\r\n')).toString()
      const frame = buf.subarray(end + 4)
      if (frame.length >= 4 && (frame[0]! & 0x0f) === 0x8) {
        resolve({ status, closeCode: frame.readUInt16BE(2) })
        sock.destroy()
      }
    })
    sock.on('error', reject)
    sock.on('close', () => resolve({ status: buf.subarray(0, Math.max(0, buf.indexOf('\r\n'))).toString(), closeCode: null }))
  })
}

export const BYSTANDER_CONTENT: ReadonlyArray<[string, unknown]> = [
  ['name', 'bystander'],
  ['list', [1, 2, 3]],
  ['nested', { a: { b: ['c'] } }],
  ['__proto__', 'data'],
]

/** Another session, already connected, holding a dict of known content. */
export interface Bystander {
  manager: Manager
  dict: DictProxy<string, unknown>
  /** Asserts the daemon answers this session and its dict is unchanged. */
  check(): Promise<void>
}

export async function bystander(manager: Manager): Promise<Bystander> {
  const dict = await manager.dict<string, unknown>()
  for (const [k, v] of BYSTANDER_CONTENT) await dict.set(k, v)
  return {
    manager,
    dict,
    async check() {
      expect(await manager.connection.call(null, 'dummy', [])).toBeNull()
      expect([...(await dict.$getValue())]).toEqual(BYSTANDER_CONTENT)
    },
  }
}
