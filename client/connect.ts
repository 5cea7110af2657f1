// connect(): a Manager on a running daemon, over an authenticated WebSocket.

import { DEFAULT_MAX_FRAME_BYTES, DEFAULT_PORT, type Authkey } from '../protocol'
import { findAuthkey } from './authkey'
import { Connection } from './connection'
import { openWsLink } from './links/ws-link'
import { Manager, type ManagerHooks } from './manager'

export interface ConnectOptions {
  /** The daemon's key. Default: MANAGERD_AUTHKEY, MANAGERD_AUTHKEY_FILE, then ~/.managerd/authkey. */
  authkey?: Authkey
  /** A name for this client, shown in the daemon's logs and debugInfo. */
  name?: string
  /** Default per-call timeout in ms (0 = none, the default: blocking calls may wait long). */
  callTimeoutMs?: number
  /** Time allowed for connecting and the handshake. Default 5000 ms. */
  handshakeTimeoutMs?: number
  /** Largest frame accepted from the daemon. Default 16 MiB. */
  maxFrameBytes?: number
  /** Ping interval in ms; 0 (default) uses the daemon's. */
  heartbeatMs?: number
  /** Extra CA certificates (PEM) to trust for wss://. */
  ca?: string | Buffer | Array<string | Buffer>
}

export const DEFAULT_ADDRESS = `ws://127.0.0.1:${DEFAULT_PORT}`

export async function connect(address: string = DEFAULT_ADDRESS, options: ConnectOptions = {}, hooks?: ManagerHooks): Promise<Manager> {
  const authkey = findAuthkey(options.authkey)
  const link = await openWsLink(address, {
    authkey,
    hello: options.name !== undefined ? { name: options.name } : {},
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 5000,
    maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    heartbeatMs: options.heartbeatMs ?? 0,
    ...(options.ca !== undefined ? { ca: options.ca } : {}),
  })
  const conn = new Connection(link, options.callTimeoutMs !== undefined ? { callTimeoutMs: options.callTimeoutMs } : {})
  return new Manager(conn, hooks)
}
