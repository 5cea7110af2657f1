// The daemon: configuration → authkey, core with built-in and user types, Fastify + WebSocket,
// listening; and the graceful stop (readyz 503, GOAWAY, drain, close, free everything).

import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { hostname } from 'node:os'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { CloseCode, authkeyBytes, type Limits } from '../../protocol'
import { ManagerCore } from '../core/manager-core'
import type { Registry } from '../core/registry'
import { buildApp, type Readiness } from '../http/app'
import type { OpsEndpoints } from '../http/ops-routes'
import { CallClock } from '../metrics/call-clock'
import { DaemonMetrics } from '../metrics/daemon-metrics'
import { AuthThrottle } from '../transport/auth-throttle'
import type { TransportStats } from '../transport/stats'
import { ConnectionSet } from '../transport/connection-set'
import { registerBuiltins } from '../types'
import { resolveAuthkey } from './authkey-file'
import { DEFAULTS, type DaemonConfig } from './config'
import { createLogger } from './logger'
import { resolveMetricsToken } from './metrics-token'
import { SessionEventLog } from './session-events'
import { statusSnapshot } from './status-snapshot'
import { loadTypesModule } from './types-loader'

export interface DaemonOptions extends Partial<DaemonConfig> {
  /** A logger to use instead of one built from logLevel (tests capture logs this way). */
  logger?: Logger
  /** Register types in code, in addition to `types` modules. */
  registerTypes?: (registry: Registry) => void | Promise<void>
  /** Serve /metrics and time calls (default true; off only to measure what metrics cost). */
  metrics?: boolean
}

export class Daemon {
  readonly core: ManagerCore
  readonly log: Logger
  readonly config: DaemonConfig
  readonly stats: TransportStats = { bytesIn: 0, bytesOut: 0, framesIn: 0, framesOut: 0, authFailures: 0, handshakeTimeouts: 0, handshakes: 0 }
  readonly connections: ConnectionSet
  /** Recent session events (the status page) and their totals (metrics). */
  readonly events = new SessionEventLog()
  /** Call latency buckets; null when metrics are off. */
  readonly clock: CallClock | null
  readonly metrics: DaemonMetrics | null
  readonly #metricsToken: string | undefined
  #app: FastifyInstance | undefined
  #readiness: Readiness = 'starting'
  #authkey: Buffer
  #address = ''
  #port = 0
  #stopping: Promise<void> | undefined
  /** Resolves when the daemon has stopped (signal, shutdown() call or stop()). */
  readonly stopped: Promise<void>
  #resolveStopped!: () => void

  private constructor(config: DaemonConfig, log: Logger, authkey: Buffer, metricsToken: string | undefined, metrics: boolean) {
    this.config = config
    this.log = log
    this.#authkey = authkey
    this.#metricsToken = metricsToken
    this.connections = new ConnectionSet(config.heartbeatMs)
    this.core = new ManagerCore({
      address: '',
      log,
      sendErrorStacks: config.errorStacks,
      sessionGraceMs: config.sessionGraceMs,
      maxInFlight: config.maxInFlight,
      onShutdownRequest: (reason) => void this.stop(reason),
    })
    this.core.sessions.onEvent = (event, session, reason) => this.events.record(event, session, reason)
    this.clock = metrics ? new CallClock(this.core.dispatcher.counts) : null
    this.core.dispatcher.onParkedSettled = this.clock?.parkedSettled ?? null
    this.metrics = this.clock !== null ? new DaemonMetrics({ core: this.core, stats: this.stats, clock: this.clock, events: this.events }) : null
    this.stopped = new Promise((resolve) => (this.#resolveStopped = resolve))
  }

  /** Start a daemon: resolve the key, register types, listen. */
  static async start(options: DaemonOptions = {}): Promise<Daemon> {
    const { logger, registerTypes, metrics = true, ...rest } = options
    const config: DaemonConfig = { ...DEFAULTS, ...stripUndefined(rest) }
    const log = logger ?? createLogger(config.logLevel, config.logPretty)
    const { key, origin } = resolveAuthkey(config, log)
    log.info({ source: origin }, 'authkey loaded')
    const metricsToken = resolveMetricsToken(config, log)
    const daemon = new Daemon(config, log, authkeyBytes(key), metricsToken, metrics)
    try {
      await daemon.#init(registerTypes)
    } catch (err) {
      await daemon.#app?.close().catch(() => {})
      throw err
    }
    return daemon
  }

  get address(): string {
    return this.#address
  }

  get port(): number {
    return this.#port
  }

  get readiness(): Readiness {
    return this.#readiness
  }

  async #init(registerTypes: DaemonOptions['registerTypes']): Promise<void> {
    const { config, log } = this
    registerBuiltins(this.core.registry)
    for (const spec of config.types) {
      await loadTypesModule(spec, this.core.registry)
      log.info({ module: spec }, 'types module loaded')
    }
    if (registerTypes !== undefined) await registerTypes(this.core.registry)

    const limits: Limits = {
      maxFrameBytes: config.maxFrameBytes,
      maxInFlight: config.maxInFlight,
      heartbeatMs: config.heartbeatMs,
      sessionGraceMs: config.sessionGraceMs,
    }
    const https =
      config.tlsCert !== undefined && config.tlsKey !== undefined
        ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) }
        : undefined
    this.#app = await buildApp({
      log,
      connections: this.connections,
      maxFrameBytes: config.maxFrameBytes,
      maxSessions: config.maxSessions,
      readiness: () => this.#readiness,
      ...(https !== undefined ? { https } : {}),
      ops: this.#opsEndpoints(),
      connectionOptions: {
        core: this.core,
        authkey: this.#authkey,
        throttle: new AuthThrottle(config.authThrottleMs),
        handshakeTimeoutMs: config.handshakeTimeoutMs,
        maxBufferedBytes: config.maxBufferedBytes,
        maxSessions: config.maxSessions,
        limits,
        stats: this.stats,
        clock: this.clock,
        log,
      },
    })
    await this.#app.listen({ host: config.host, port: config.port })
    const addr = this.#app.server.address() as AddressInfo
    this.#port = addr.port
    const scheme = https !== undefined ? 'wss' : 'ws'
    this.#address = config.advertiseUrl ?? `${scheme}://${advertisedHost(addr)}:${addr.port}`
    this.core.replies.setAddress(this.#address)
    this.#readiness = 'ready'
    log.info({ address: this.#address, host: config.host, port: addr.port, tls: https !== undefined, metricsAuth: this.#metricsToken !== undefined }, 'listening')
    if (this.#metricsToken === undefined && !isLoopback(addr.address)) {
      log.warn({ host: config.host }, '/metrics and /status.json are open to anyone who can reach this port; set --metrics-token-file')
    }
  }

  #opsEndpoints(): OpsEndpoints {
    const metrics = this.metrics
    return {
      token: this.#metricsToken,
      status: () => statusSnapshot(this.core, this.stats, this.events, this.#readiness),
      ...(metrics !== null ? { metrics: async () => ({ contentType: metrics.contentType, body: await metrics.text() }) } : {}),
    }
  }

  /**
   * Graceful stop: readyz turns 503, every client gets GOAWAY, calls in flight get until the
   * drain deadline, then sockets close, sessions end and every object is freed.
   */
  stop(reason = 'stop requested'): Promise<void> {
    this.#stopping ??= this.#stop(reason)
    return this.#stopping
  }

  async #stop(reason: string): Promise<void> {
    const { log, connections } = this
    const deadlineMs = this.config.drainTimeoutMs
    this.#readiness = 'draining'
    log.info({ reason, sessions: connections.size, drainTimeoutMs: deadlineMs }, 'draining')
    connections.goawayAll({ reason, deadlineMs })
    const deadline = Date.now() + deadlineMs
    while (connections.parkedCalls() > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25))
    }
    const abandoned = connections.parkedCalls()
    if (abandoned > 0) log.warn({ calls: abandoned }, 'drain deadline passed with calls still parked')
    connections.closeAll(CloseCode.GOING_AWAY, 'daemon shutting down')
    connections.stop()
    this.core.close('daemon shutting down')
    await this.#app?.close()
    log.info({ objects: this.core.table.size }, 'stopped')
    this.#resolveStopped()
  }
}

/**
 * The host put in tokens when no --advertise-url is given: the bound address, or for a wildcard
 * bind (0.0.0.0, ::) this machine's hostname — what other hosts (and containers on a network)
 * can usually reach, where 127.0.0.1 would name each client's own machine.
 */
function advertisedHost(addr: AddressInfo): string {
  const wildcard = addr.address === '0.0.0.0' || addr.address === '::'
  if (wildcard) return hostname()
  return addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address === '::ffff:127.0.0.1'
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
