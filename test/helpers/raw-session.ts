// A session spoken by hand over a bare WebSocket (handshake included), for tests of the wire
// rules a well-behaved client never breaks — or cannot show: reusing request ids after a resume,
// naming lost replies in the hello, reading lastReqId.

import { Decoder, Encoder, Tag, clientProof, newNonce, type Hello, type WelcomeInfo } from '../../protocol'
import { TEST_KEY } from './harness'
import { rawSocket, type RawSocket } from './raw-client'

const enc = new Encoder()
const dec = new Decoder()

export interface RawSession {
  sock: RawSocket
  welcome: WelcomeInfo
  send(message: unknown[]): void
  /** The next message (a batch frame is split into its messages). */
  next(timeoutMs?: number): Promise<unknown[]>
  /** Send a request and wait for the next message. */
  call(reqId: number, target: string | null, method: string, args?: unknown[]): Promise<unknown[]>
}

export async function rawSession(address: string, hello: Hello = {}): Promise<RawSession> {
  const sock = await rawSocket(address)
  const [, , serverNonce] = dec.decode(await sock.next()) as [string, string, Uint8Array]
  sock.ws.send(enc.encode([Tag.ANSWER, clientProof(TEST_KEY, serverNonce), newNonce(), hello]))
  const welcome = dec.decode(await sock.next()) as [string, Uint8Array, WelcomeInfo]
  if (welcome[0] !== Tag.WELCOME) throw new Error(`no welcome: ${JSON.stringify(welcome)}`)
  const queue: unknown[][] = []
  const next = async (timeoutMs = 10_000): Promise<unknown[]> => {
    while (queue.length === 0) {
      const frame = dec.decode(await sock.next(timeoutMs)) as unknown[]
      if (Array.isArray(frame[0])) queue.push(...(frame as unknown[][]))
      else queue.push(frame)
    }
    return queue.shift()!
  }
  const send = (message: unknown[]): void => sock.ws.send(enc.encode(message))
  return {
    sock,
    welcome: welcome[2],
    send,
    next,
    async call(reqId, target, method, args = []) {
      send([reqId, target, method, args])
      return next()
    },
  }
}
