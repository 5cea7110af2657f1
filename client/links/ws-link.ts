// The WebSocket link: dial, run the client half of the mutual HMAC handshake (refusing a server
// that cannot prove it knows the key), then carry frames and keep the link alive with pings.

import WebSocket from 'ws'
import {
  AuthenticationError,
  CloseCode,
  ConnectionLostError,
  Decoder,
  Encoder,
  SUBPROTOCOL,
  Tag,
  WS_PATH,
  clientProof,
  heartbeatCheckMs,
  heartbeatTimeoutMs,
  macEquals,
  newNonce,
  serverProof,
  type Authkey,
  type Hello,
  type WelcomeInfo,
} from '../../protocol'
import { installFastRead } from '../../protocol/ws-fast-read'
import type { Link, LinkHandlers } from './link'

export interface WsLinkOptions {
  authkey: Authkey
  hello: Hello
  handshakeTimeoutMs: number
  maxFrameBytes: number
  /** Ping interval; 0 takes the daemon's. The link is dropped after two silent intervals. */
  heartbeatMs: number
  /** Extra CA certificates (PEM) to trust for wss://. */
  ca?: string | Buffer | Array<string | Buffer>
}

const plain = new Decoder()
const plainEncoder = new Encoder()

/** ws://host:port → ws://host:port/v1 (a URL with a path is used as given). */
export function endpointUrl(address: string): string {
  const url = new URL(address)
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new TypeError(`not a ws:// or wss:// URL: ${address}`)
  if (url.pathname === '' || url.pathname === '/') url.pathname = WS_PATH
  return url.toString()
}

export function openWsLink(address: string, opts: WsLinkOptions): Promise<WsLink> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(endpointUrl(address), SUBPROTOCOL, {
      maxPayload: opts.maxFrameBytes,
      perMessageDeflate: false,
      handshakeTimeout: opts.handshakeTimeoutMs,
      ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
    })
    ws.binaryType = 'nodebuffer'
    let step: 'challenge' | 'welcome' | 'done' = 'challenge'
    let clientNonce: Buffer | undefined
    const timer = setTimeout(() => fail(new ConnectionLostError('handshake timed out')), opts.handshakeTimeoutMs)
    const fail = (err: Error): void => {
      if (step === 'done') return
      step = 'done'
      clearTimeout(timer)
      ws.removeAllListeners('message')
      ws.on('error', () => {})
      ws.terminate()
      reject(err)
    }
    ws.on('error', (err) => fail(new ConnectionLostError(`cannot connect to ${address}: ${err.message}`, { cause: err })))
    ws.on('close', (code, reason) => {
      if (code === CloseCode.AUTH_FAILED) fail(new AuthenticationError('the daemon refused the authkey'))
      else fail(new ConnectionLostError(`connection closed during the handshake (${code} ${reason.toString()})`))
    })
    ws.on('message', (data: Buffer) => {
      let msg: unknown
      try {
        msg = plain.decode(data)
      } catch {
        return fail(new AuthenticationError('the daemon sent a malformed handshake message'))
      }
      const m = Array.isArray(msg) ? msg : []
      if (m[0] === Tag.FAILURE) return fail(new AuthenticationError('the daemon refused the authkey'))
      if (step === 'challenge') {
        if (m[0] !== Tag.CHALLENGE || m[1] !== 'sha256' || !(m[2] instanceof Uint8Array) || m[2].byteLength < 16) {
          return fail(new AuthenticationError('the daemon sent an unexpected challenge'))
        }
        clientNonce = newNonce()
        step = 'welcome'
        ws.send(plainEncoder.encode([Tag.ANSWER, clientProof(opts.authkey, m[2]), clientNonce, opts.hello]))
        return
      }
      if (step === 'welcome') {
        // The server must prove it knows the key too: no talking to impostors.
        if (m[0] !== Tag.WELCOME || !macEquals(m[1], serverProof(opts.authkey, clientNonce!)) || typeof m[2] !== 'object' || m[2] === null) {
          return fail(new AuthenticationError('the daemon could not prove it knows the authkey'))
        }
        step = 'done'
        clearTimeout(timer)
        ws.removeAllListeners('message')
        ws.removeAllListeners('close')
        ws.removeAllListeners('error')
        resolve(new WsLink(ws, m[2] as WelcomeInfo, opts.heartbeatMs))
      }
    })
  })
}

export class WsLink implements Link {
  readonly welcome: WelcomeInfo
  readonly #ws: WebSocket
  #handlers: LinkHandlers | undefined
  readonly #early: Buffer[] = []
  #closed: { code: number; reason: string } | undefined
  #lastSeen = Date.now()
  #ticks = 0
  #heartbeat: NodeJS.Timeout | undefined
  #resolveClosed!: () => void
  readonly #whenClosed = new Promise<void>((resolve) => (this.#resolveClosed = resolve))

  constructor(ws: WebSocket, welcome: WelcomeInfo, heartbeatMs: number) {
    this.#ws = ws
    this.welcome = welcome
    // Whole binary frames skip ws's Receiver stream; everything else still goes through ws.
    installFastRead(ws)
    ws.on('message', (data: Buffer) => {
      this.#lastSeen = Date.now()
      if (this.#handlers === undefined) this.#early.push(data)
      else this.#handlers.frame(data)
    })
    ws.on('pong', () => (this.#lastSeen = Date.now()))
    ws.on('ping', () => (this.#lastSeen = Date.now()))
    ws.on('error', () => {
      // 'close' follows with the code
    })
    ws.on('close', (code, reason) => this.#onClose(code, reason.toString()))
    const interval = heartbeatMs > 0 ? heartbeatMs : welcome.limits?.heartbeatMs ?? 0
    if (interval > 0) {
      // The daemon's rule (protocol/heartbeat.ts): checked twice per interval, pinged once.
      this.#heartbeat = setInterval(() => this.#tick(interval), heartbeatCheckMs(interval))
      this.#heartbeat.unref()
    }
  }

  #tick(interval: number): void {
    if (Date.now() - this.#lastSeen > heartbeatTimeoutMs(interval)) {
      this.#ws.terminate() // 'close' (1006) follows: the session link reconnects
      return
    }
    if ((this.#ticks++ & 1) !== 0) return
    try {
      this.#ws.ping()
    } catch {
      // closing
    }
  }

  bind(handlers: LinkHandlers): void {
    this.#handlers = handlers
    for (const data of this.#early.splice(0)) handlers.frame(data)
    if (this.#closed !== undefined) handlers.closed(this.#closed.code, this.#closed.reason)
  }

  send(frame: Uint8Array): void {
    if (this.#closed !== undefined) return
    this.#ws.send(frame, { binary: true })
  }

  close(code: number, reason: string): Promise<void> {
    if (this.#closed !== undefined) return this.#whenClosed
    try {
      this.#ws.close(code, reason)
    } catch {
      this.#ws.terminate()
    }
    // A daemon that does not answer the close handshake is cut after a second.
    setTimeout(() => {
      if (this.#ws.readyState !== WebSocket.CLOSED) this.#ws.terminate()
    }, 1000).unref()
    return this.#whenClosed
  }

  #onClose(code: number, reason: string): void {
    if (this.#closed !== undefined) return
    this.#closed = { code, reason }
    this.#resolveClosed()
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat)
    this.#handlers?.closed(code, reason)
  }
}
