// The mutual HMAC-SHA256 handshake, after multiprocessing.connection's deliver_challenge /
// answer_challenge, run in both directions. The authkey never crosses the wire.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { CLIENT_MAC_LABEL, NONCE_BYTES, SERVER_MAC_LABEL } from './version'

export type Authkey = string | Uint8Array

export function authkeyBytes(key: Authkey): Buffer {
  return typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key.buffer, key.byteOffset, key.byteLength)
}

export function newNonce(): Buffer {
  return randomBytes(NONCE_BYTES)
}

function mac(key: Authkey, label: string, nonce: Uint8Array): Buffer {
  return createHmac('sha256', authkeyBytes(key)).update(label, 'utf8').update(nonce).digest()
}

/** The client's proof: HMAC(authkey, 'managerd.v1 client' ‖ serverNonce). */
export function clientProof(key: Authkey, serverNonce: Uint8Array): Buffer {
  return mac(key, CLIENT_MAC_LABEL, serverNonce)
}

/** The server's proof: HMAC(authkey, 'managerd.v1 server' ‖ clientNonce). */
export function serverProof(key: Authkey, clientNonce: Uint8Array): Buffer {
  return mac(key, SERVER_MAC_LABEL, clientNonce)
}

/** Constant-time comparison of a received MAC with the expected one; false on any shape mismatch. */
export function macEquals(received: unknown, expected: Buffer): boolean {
  if (!(received instanceof Uint8Array) || received.byteLength !== expected.byteLength) return false
  return timingSafeEqual(received, expected)
}
