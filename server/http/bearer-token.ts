// The optional metrics token: /metrics and /status.json want "Authorization: Bearer TOKEN" when
// the daemon has one. Compared as SHA-256 digests with timingSafeEqual (equal lengths, no leak).

import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest()

/** A preHandler that answers 401 unless the request carries the token; open when there is none. */
export function requireBearer(token: string | undefined): (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  const expected = token === undefined ? undefined : digest(token)
  return async (req, reply) => {
    if (expected === undefined) return undefined
    const header = req.headers.authorization
    const match = typeof header === 'string' ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null
    if (match !== null && timingSafeEqual(digest(match[1]!), expected)) return undefined
    // Returning the sent reply tells Fastify the request is answered: the handler does not run.
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="managerd"')
      .header('cache-control', 'no-store')
      .send({ error: 'this endpoint needs the metrics token: Authorization: Bearer TOKEN' })
  }
}
