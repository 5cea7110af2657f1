// connect(): a Manager on a running daemon, over an authenticated WebSocket that reconnects by
// itself and resumes its session when the link drops.

import { DEFAULT_MAX_FRAME_BYTES, DEFAULT_PORT, type Authkey, type Hello } from '../protocol'
import { findAuthkey } from './authkey'
import { Connection } from './connection'
import { openWsLink } from './links/ws-link'
import { Manager, type ManagerHooks } from './manager'
import { reconnectPolicy, type ReconnectOptions } from './reconnect'
import { SessionLink } from './session-link'

export interface ConnectOptions {
  /**
   * The daemon's key. Default: MANAGERD_AUTHKEY, MANAGERD_AUTHKEY_FILE, then ~/.managerd/authkey
   * — read again at every reconnect, so a rotated key file is picked up.
   */
  authkey?: Authkey
  /** A name for this client, shown in the daemon's logs and debugInfo. */
  name?: string
  /** Default per-call timeout in ms (0 = none, the default: blocking calls may wait long). */
  callTimeoutMs?: number
  /** Time allowed for connecting and the handshake (each reconnect attempt too). Default 5000 ms. */
  handshakeTimeoutMs?: number
  /** Largest frame accepted from the daemon. Default 16 MiB. */
  maxFrameBytes?: number
  /** Ping interval in ms; 0 (default) uses the daemon's. A link silent for two intervals is dropped. */
  heartbeatMs?: number
  /** Extra CA certificates (PEM) to trust for wss://. */
  ca?: string | Buffer | Array<string | Buffer>
  /**
   * Reconnect when the link drops, resuming the session within the daemon's grace period.
   * On by default; `false` turns it off (a drop then closes the manager).
   */
  reconnect?: boolean | ReconnectOptions
}

export const DEFAULT_ADDRESS = `ws://127.0.0.1:${DEFAULT_PORT}`

export async function connect(address: string = DEFAULT_ADDRESS, options: ConnectOptions = {}, hooks?: ManagerHooks): Promise<Manager> {
  const policy = reconnectPolicy(options.reconnect)
  const given = options.authkey
  const dial = (hello: Hello) =>
    openWsLink(address, {
      authkey: findAuthkey(given),
      hello,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 5000,
      maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      heartbeatMs: options.heartbeatMs ?? 0,
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
    })
  const hello: Hello = options.name !== undefined ? { name: options.name } : {}
  // The first connect is not retried: a wrong address or key should fail at once, not hang.
  const link = await dial(hello)
  const sessionLink = new SessionLink(link, { hello, dial, policy })
  const conn = new Connection(sessionLink, options.callTimeoutMs !== undefined ? { callTimeoutMs: options.callTimeoutMs } : {})
  return new Manager(conn, hooks)
}
