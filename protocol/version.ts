// Protocol identity: what a client and a daemon must agree on before anything else.

/** Wire protocol version; bumped on any incompatible change to frames or extension codes. */
export const PROTOCOL_VERSION = 1

/** WebSocket subprotocol both sides must negotiate. */
export const SUBPROTOCOL = 'managerd.v1'

/** HTTP path of the WebSocket endpoint. */
export const WS_PATH = '/v1'

/** Default TCP port of the daemon. */
export const DEFAULT_PORT = 7400

/** Default maximum size of one WebSocket frame (message), in bytes. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024

/** Labels mixed into the handshake MACs so a client answer can never be replayed as a server proof. */
export const CLIENT_MAC_LABEL = 'managerd.v1 client'
export const SERVER_MAC_LABEL = 'managerd.v1 server'

/** Size of the random nonces exchanged in the handshake. */
export const NONCE_BYTES = 32
