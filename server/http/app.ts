// The daemon's HTTP face (Fastify): /healthz, /readyz, the operator endpoints (ops-routes.ts) and
// the WebSocket endpoint /v1, on one port.

import websocket from '@fastify/websocket'
import Fastify, { LogController, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { CloseCode, SUBPROTOCOL, WS_PATH } from '../../protocol'
import { ClientConnection, type ConnectionOptions } from '../transport/connection'
import type { ConnectionSet } from '../transport/connection-set'
import { registerOpsRoutes, type OpsEndpoints } from './ops-routes'

export type Readiness = 'starting' | 'ready' | 'draining'

export interface AppOptions {
  log: Logger
  connections: ConnectionSet
  connectionOptions: ConnectionOptions
  maxFrameBytes: number
  maxSessions: number
  readiness: () => Readiness
  https?: { cert: Buffer; key: Buffer }
  /** /metrics, /status.json and the status page; absent = not served. */
  ops?: OpsEndpoints
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: opts.log.child({ component: 'http' }),
    // Health probes every few seconds would drown the log: no per-request lines.
    logController: new LogController({ disableRequestLogging: true }),
    // A TCP peer that never completes its HTTP request (silent, or sending half a request) is
    // dropped like a WebSocket that never answers: idle for the handshake timeout, or with
    // headers unfinished after it (Node checks that every 30 s).
    connectionTimeout: opts.connectionOptions.handshakeTimeoutMs,
    ...(opts.https !== undefined ? { https: opts.https } : {}),
  }) as unknown as FastifyInstance
  app.server.headersTimeout = opts.connectionOptions.handshakeTimeoutMs
  await app.register(websocket, {
    options: {
      maxPayload: opts.maxFrameBytes,
      perMessageDeflate: false,
      handleProtocols: (protocols: Set<string>) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    },
  })

  // Liveness: the process answers. Reveals nothing but that.
  app.get('/healthz', async () => ({ status: 'ok' }))
  // Readiness: 503 while starting or draining, so load balancers stop sending new clients.
  app.get('/readyz', async (_req, reply) => {
    const state = opts.readiness()
    if (state !== 'ready') return reply.code(503).send({ status: state })
    return { status: 'ready' }
  })

  if (opts.ops !== undefined) registerOpsRoutes(app, opts.ops)

  app.get(WS_PATH, { websocket: true }, (socket, req) => {
    const remoteAddress = req.socket.remoteAddress ?? 'unknown'
    if (opts.readiness() !== 'ready') {
      socket.close(CloseCode.GOING_AWAY, 'the daemon is not accepting sessions')
      return
    }
    // Open connections, authenticated or not, are capped here (a flood of sockets that never
    // answer); sessions waiting to be resumed count too once a handshake is in (handshake.ts).
    if (opts.connections.size >= opts.maxSessions) {
      opts.log.warn({ remote: remoteAddress, maxSessions: opts.maxSessions }, 'session limit reached')
      socket.close(CloseCode.TOO_MANY_SESSIONS, 'too many sessions')
      return
    }
    const conn = new ClientConnection(socket, remoteAddress, opts.connectionOptions)
    opts.connections.add(conn)
    conn.start()
  })

  return app
}
