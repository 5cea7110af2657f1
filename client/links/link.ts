// A link carries frames between a client connection and one daemon session: a WebSocket after
// the handshake, or the in-process loopback of localManager(). Frames are opaque here; the
// connection decodes them.

import type { WelcomeInfo } from '../../protocol'

export interface LinkHandlers {
  /** One inbound frame (a message or a batch), already past the handshake. */
  frame(data: Uint8Array): void
  /** The link is gone. `code` is the WebSocket close code (1006 when the socket just died). */
  closed(code: number, reason: string): void
}

export interface Link {
  readonly welcome: WelcomeInfo
  /** Start delivering frames to `handlers` (frames that arrived before are queued until then). */
  bind(handlers: LinkHandlers): void
  send(frame: Uint8Array): void
  /** Close; code 1000 says goodbye (the daemon ends the session at once). Resolves once closed. */
  close(code: number, reason: string): Promise<void>
}
