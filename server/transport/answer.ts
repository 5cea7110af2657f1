// Reading a client's #ANSWER, the only frame read before #WELCOME: small, strictly decoded, and
// valid only if its MAC proves the client knows the key. Any flaw is the same failure.

import { Decoder, Tag, clientProof, macEquals, type Hello } from '../../protocol'

/**
 * An answer is ~100 bytes (a name, a resume token), plus on a resume the ids of the requests whose
 * replies were lost (hello.lost: at most DELIVERY_LOG_MAX of them, ≤ 5 bytes each, ~41 KB).
 * Anything larger is not decoded at all.
 */
export const MAX_ANSWER_BYTES = 64 * 1024

// Strict: every answer is scanned first (depth limit, exact extension payloads), however small.
const answerDecoder = new Decoder(undefined, { strict: true })

export interface ValidAnswer {
  hello: Hello
  clientNonce: Uint8Array
}

/** The answer's hello and client nonce, or null when it is not a valid answer to `serverNonce`. */
export function checkAnswer(data: Buffer, authkey: Buffer, serverNonce: Buffer): ValidAnswer | null {
  if (data.byteLength > MAX_ANSWER_BYTES) return null
  let answer: unknown
  try {
    answer = answerDecoder.decode(data)
  } catch {
    return null
  }
  if (!Array.isArray(answer) || answer.length !== 4 || answer[0] !== Tag.ANSWER) return null
  const [, proof, clientNonce, hello] = answer as unknown[]
  if (!(clientNonce instanceof Uint8Array) || clientNonce.byteLength < 16) return null
  if (typeof hello !== 'object' || hello === null || Array.isArray(hello)) return null
  if (!macEquals(proof, clientProof(authkey, serverNonce))) return null
  return { hello: hello as Hello, clientNonce }
}
