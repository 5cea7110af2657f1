// Operator endpoints: GET /metrics (Prometheus text), GET /status.json and the status page at GET /
// (with /status.js and /status.css). /metrics and /status.json need the metrics token when one
// is set; the page itself holds no data, so it is open, and asks for the token when refused.

import type { FastifyInstance } from 'fastify'
import { requireBearer } from './bearer-token'
import { PAGE_HTML } from './status-page/page-html'
import { PAGE_SCRIPT } from './status-page/page-script'
import { PAGE_CSS } from './status-page/page-style'

export interface OpsEndpoints {
  /** The Prometheus text exposition, and its content type; absent when metrics are off. */
  metrics?: () => Promise<{ contentType: string; body: string }>
  /** The JSON the status page renders. */
  status(): unknown
  /** The bearer token /metrics and /status.json require; undefined = open. */
  token: string | undefined
}

const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
}

export function registerOpsRoutes(app: FastifyInstance, ops: OpsEndpoints): void {
  const auth = requireBearer(ops.token)

  const metrics = ops.metrics
  if (metrics !== undefined) {
    app.get('/metrics', { preHandler: auth }, async (_req, reply) => {
      const { contentType, body } = await metrics()
      return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body)
    })
  }
  app.get('/status.json', { preHandler: auth }, async (_req, reply) => {
    return reply.header('cache-control', 'no-store').headers(PAGE_HEADERS).send(ops.status())
  })

  const asset = (path: string, type: string, body: string): void => {
    app.get(path, async (_req, reply) => reply.header('content-type', type).headers(PAGE_HEADERS).send(body))
  }
  asset('/', 'text/html; charset=utf-8', PAGE_HTML)
  asset('/status.js', 'text/javascript; charset=utf-8', PAGE_SCRIPT)
  asset('/status.css', 'text/css; charset=utf-8', PAGE_CSS)
}
