// Daemon configuration: every flag has an environment twin (MANAGERD_*); flags win over env.
// One table describes them all, so parsing, validation and --help cannot disagree.

import { parseArgs } from 'node:util'
import { ConfigError, DEFAULT_MAX_FRAME_BYTES, DEFAULT_PORT } from '../../protocol'

type Kind = 'string' | 'int' | 'bool' | 'list'

interface OptionSpec {
  flag: string
  env: string
  kind: Kind
  help: string
  min?: number
}

export const DAEMON_OPTIONS = {
  host: { flag: 'host', env: 'MANAGERD_HOST', kind: 'string', help: 'interface to listen on (default 127.0.0.1)' },
  port: { flag: 'port', env: 'MANAGERD_PORT', kind: 'int', min: 0, help: `TCP port, 0 for any free port (default ${DEFAULT_PORT})` },
  authkeyFile: { flag: 'authkey-file', env: 'MANAGERD_AUTHKEY_FILE', kind: 'string', help: 'file holding the authkey (default: generated in ~/.managerd/authkey)' },
  requireAuthkey: { flag: 'require-authkey', env: 'MANAGERD_REQUIRE_AUTHKEY', kind: 'bool', help: 'refuse to start unless a key is configured (containers)' },
  types: { flag: 'types', env: 'MANAGERD_TYPES', kind: 'list', help: 'module registering user types (repeatable; env: comma-separated)' },
  logLevel: { flag: 'log-level', env: 'MANAGERD_LOG_LEVEL', kind: 'string', help: 'fatal|error|warn|info|debug|trace|silent (default info)' },
  logPretty: { flag: 'log-pretty', env: 'MANAGERD_LOG_PRETTY', kind: 'bool', help: 'human-readable logs (default: only when stdout is a TTY)' },
  tlsCert: { flag: 'tls-cert', env: 'MANAGERD_TLS_CERT', kind: 'string', help: 'PEM certificate file: serve wss:// and https://' },
  tlsKey: { flag: 'tls-key', env: 'MANAGERD_TLS_KEY', kind: 'string', help: 'PEM private key file for --tls-cert' },
  maxFrameBytes: { flag: 'max-frame-bytes', env: 'MANAGERD_MAX_FRAME_BYTES', kind: 'int', min: 1024, help: 'largest frame accepted; larger closes the connection with 1009 (default 16 MiB)' },
  sessionGraceMs: { flag: 'session-grace-ms', env: 'MANAGERD_SESSION_GRACE_MS', kind: 'int', min: 0, help: 'how long a dropped session can be resumed (default 30000)' },
  advertiseUrl: { flag: 'advertise-url', env: 'MANAGERD_ADVERTISE_URL', kind: 'string', help: 'URL put in tokens and shown to clients (default ws://HOST:PORT; the hostname for 0.0.0.0)' },
  errorStacks: { flag: 'error-stacks', env: 'MANAGERD_ERROR_STACKS', kind: 'bool', help: 'send remote stack traces to clients (default off)' },
  heartbeatMs: { flag: 'heartbeat-ms', env: 'MANAGERD_HEARTBEAT_MS', kind: 'int', min: 0, help: 'ping interval; a peer silent for 2 intervals is dropped (default 5000, 0 = off)' },
  handshakeTimeoutMs: { flag: 'handshake-timeout-ms', env: 'MANAGERD_HANDSHAKE_TIMEOUT_MS', kind: 'int', min: 1, help: 'time from the upgrade to the client\'s answer; also drops a TCP peer short of an upgrade (default 5000)' },
  maxSessions: { flag: 'max-sessions', env: 'MANAGERD_MAX_SESSIONS', kind: 'int', min: 1, help: 'most connections, and sessions counting those awaiting resume (default 10000)' },
  maxInFlight: { flag: 'max-in-flight', env: 'MANAGERD_MAX_IN_FLIGHT', kind: 'int', min: 1, help: 'most calls one session may have parked; more get TooManyInFlightError (default 10000)' },
  maxBufferedBytes: { flag: 'max-buffered-bytes', env: 'MANAGERD_MAX_BUFFERED_BYTES', kind: 'int', min: 1024, help: 'unread reply bytes before a client is shed (default 64 MiB)' },
  drainTimeoutMs: { flag: 'drain-timeout-ms', env: 'MANAGERD_DRAIN_TIMEOUT_MS', kind: 'int', min: 0, help: 'on SIGTERM, wait this long for calls in flight (default 10000)' },
  metricsToken: { flag: 'metrics-token', env: 'MANAGERD_METRICS_TOKEN', kind: 'string', help: 'bearer token for /metrics and /status.json (a flag shows in ps: prefer the env or the file)' },
  metricsTokenFile: { flag: 'metrics-token-file', env: 'MANAGERD_METRICS_TOKEN_FILE', kind: 'string', help: 'file holding the metrics token (default: no token, the endpoints are open)' },
  authThrottleMs: { flag: 'auth-throttle-ms', env: 'MANAGERD_AUTH_THROTTLE_MS', kind: 'int', min: 0, help: 'first delay after a failed handshake, doubling per failure (default 100)' },
} as const satisfies Record<string, OptionSpec>

export interface DaemonConfig {
  host: string
  port: number
  authkeyFile: string | undefined
  /** The key itself, from MANAGERD_AUTHKEY (never a flag: flags show up in `ps`). */
  authkey: string | undefined
  requireAuthkey: boolean
  types: string[]
  logLevel: string
  logPretty: boolean | undefined
  tlsCert: string | undefined
  tlsKey: string | undefined
  maxFrameBytes: number
  sessionGraceMs: number
  advertiseUrl: string | undefined
  errorStacks: boolean
  heartbeatMs: number
  handshakeTimeoutMs: number
  maxSessions: number
  maxInFlight: number
  maxBufferedBytes: number
  drainTimeoutMs: number
  authThrottleMs: number
  metricsToken: string | undefined
  metricsTokenFile: string | undefined
}

export const DEFAULTS: DaemonConfig = {
  host: '127.0.0.1',
  port: DEFAULT_PORT,
  authkeyFile: undefined,
  authkey: undefined,
  requireAuthkey: false,
  types: [],
  logLevel: 'info',
  logPretty: undefined,
  tlsCert: undefined,
  tlsKey: undefined,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  sessionGraceMs: 30_000,
  advertiseUrl: undefined,
  errorStacks: false,
  heartbeatMs: 5_000,
  handshakeTimeoutMs: 5_000,
  maxSessions: 10_000,
  maxInFlight: 10_000,
  maxBufferedBytes: 64 * 1024 * 1024,
  drainTimeoutMs: 10_000,
  authThrottleMs: 100,
  metricsToken: undefined,
  metricsTokenFile: undefined,
}

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])

function convert(name: string, spec: OptionSpec, raw: string | boolean | string[], source: string): unknown {
  switch (spec.kind) {
    case 'bool': {
      if (typeof raw === 'boolean') return raw
      const v = String(raw).toLowerCase()
      if (['1', 'true', 'yes', 'on'].includes(v)) return true
      if (['0', 'false', 'no', 'off', ''].includes(v)) return false
      throw new ConfigError(`${source}: expected true or false, got ${JSON.stringify(raw)}`)
    }
    case 'int': {
      const s = String(raw).trim()
      if (!/^\d+$/.test(s)) throw new ConfigError(`${source}: expected a whole number, got ${JSON.stringify(raw)}`)
      const n = Number(s)
      if (!Number.isSafeInteger(n) || (spec.min !== undefined && n < spec.min)) {
        throw new ConfigError(`${source}: must be at least ${spec.min ?? 0}, got ${s}`)
      }
      if (name === 'port' && n > 65535) throw new ConfigError(`${source}: a port is at most 65535, got ${s}`)
      return n
    }
    case 'list':
      return (Array.isArray(raw) ? raw : String(raw).split(','))
        .map((s) => s.trim())
        .filter((s) => s.length > 0)
    default:
      if (typeof raw !== 'string' || raw.length === 0) throw new ConfigError(`${source}: expected a value`)
      return raw
  }
}

/** Parse argv (without node and script) and env into a config. Throws ConfigError on bad input. */
export function parseDaemonConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): DaemonConfig {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {}
  for (const spec of Object.values(DAEMON_OPTIONS) as OptionSpec[]) {
    options[spec.flag] = spec.kind === 'bool' ? { type: 'boolean' } : spec.kind === 'list' ? { type: 'string', multiple: true } : { type: 'string' }
  }
  let values: Record<string, string | boolean | string[] | undefined>
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as typeof values
  } catch (err) {
    throw new ConfigError((err as Error).message.split('\n')[0]!)
  }
  const config: Record<string, unknown> = { ...DEFAULTS }
  for (const [name, spec] of Object.entries(DAEMON_OPTIONS) as Array<[keyof typeof DAEMON_OPTIONS, OptionSpec]>) {
    const fromFlag = values[spec.flag]
    const fromEnv = env[spec.env]
    if (fromFlag !== undefined) config[name] = convert(name, spec, fromFlag, `--${spec.flag}`)
    else if (fromEnv !== undefined && fromEnv !== '') config[name] = convert(name, spec, fromEnv, spec.env)
  }
  const authkey = env.MANAGERD_AUTHKEY
  config.authkey = authkey !== undefined && authkey !== '' ? authkey : undefined
  const c = config as unknown as DaemonConfig
  if (!LOG_LEVELS.has(c.logLevel)) throw new ConfigError(`log level must be one of ${[...LOG_LEVELS].join(', ')}, got ${JSON.stringify(c.logLevel)}`)
  if ((c.tlsCert === undefined) !== (c.tlsKey === undefined)) throw new ConfigError('--tls-cert and --tls-key go together')
  if (c.advertiseUrl !== undefined && !/^wss?:\/\/[^/\s]+/.test(c.advertiseUrl)) {
    throw new ConfigError(`--advertise-url must be a ws:// or wss:// URL, got ${JSON.stringify(c.advertiseUrl)}`)
  }
  return c
}

/** Usage text for `managerd serve --help`, from the same table. */
export function daemonUsage(): string {
  const lines = ['Usage: managerd [serve] [options]', '', 'Options (each also read from its environment variable):']
  for (const spec of Object.values(DAEMON_OPTIONS) as OptionSpec[]) {
    const arg = spec.kind === 'bool' ? '' : spec.kind === 'int' ? ' N' : ' VALUE'
    lines.push(`  --${spec.flag}${arg}`.padEnd(34) + `${spec.help}  [${spec.env}]`)
  }
  lines.push('', 'The authkey itself may be given as MANAGERD_AUTHKEY (environment only).')
  return lines.join('\n')
}
