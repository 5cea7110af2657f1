import { ConfigError } from '../../protocol'
import { DEFAULTS, daemonUsage, parseDaemonConfig, DAEMON_OPTIONS } from '../daemon/config'

describe('daemon config', () => {
  test('defaults', () => {
    expect(parseDaemonConfig([], {})).toEqual({ ...DEFAULTS })
  })

  test('flags, and env twins, flags winning', () => {
    const c = parseDaemonConfig(['--port', '9000', '--types', 'a.js', '--types', 'b.js', '--error-stacks'], {
      MANAGERD_PORT: '8000',
      MANAGERD_HOST: '0.0.0.0',
      MANAGERD_SESSION_GRACE_MS: '100',
      MANAGERD_AUTHKEY: 'secret',
    })
    expect(c.port).toBe(9000)
    expect(c.host).toBe('0.0.0.0')
    expect(c.types).toEqual(['a.js', 'b.js'])
    expect(c.sessionGraceMs).toBe(100)
    expect(c.errorStacks).toBe(true)
    expect(c.authkey).toBe('secret')
  })

  // One row per option (a missing one is a type error): a value from its env twin alone, and the
  // flag winning over a different env value. Companions are what an option needs beside it.
  type Row = { env: string; flag: string[]; other: string; expected: unknown; expectedFromFlag?: unknown; companions?: Record<string, string> }
  const rows = {
    host: { env: '0.0.0.0', other: '127.0.0.2', flag: ['10.0.0.1'], expected: '0.0.0.0', expectedFromFlag: '10.0.0.1' },
    port: { env: '9001', other: '9002', flag: ['9003'], expected: 9001, expectedFromFlag: 9003 },
    authkeyFile: { env: '/k/env', other: '/k/other', flag: ['/k/flag'], expected: '/k/env', expectedFromFlag: '/k/flag' },
    requireAuthkey: { env: 'true', other: 'false', flag: [], expected: true },
    types: { env: 'a.js,b.js', other: 'c.js', flag: ['f.js'], expected: ['a.js', 'b.js'], expectedFromFlag: ['f.js'] },
    logLevel: { env: 'debug', other: 'error', flag: ['warn'], expected: 'debug', expectedFromFlag: 'warn' },
    logPretty: { env: 'true', other: 'false', flag: [], expected: true },
    tlsCert: { env: '/c.pem', other: '/o.pem', flag: ['/f.pem'], expected: '/c.pem', expectedFromFlag: '/f.pem', companions: { MANAGERD_TLS_KEY: '/k.pem' } },
    tlsKey: { env: '/k.pem', other: '/o.pem', flag: ['/f.pem'], expected: '/k.pem', expectedFromFlag: '/f.pem', companions: { MANAGERD_TLS_CERT: '/c.pem' } },
    maxFrameBytes: { env: '2048', other: '4096', flag: ['8192'], expected: 2048, expectedFromFlag: 8192 },
    sessionGraceMs: { env: '10', other: '20', flag: ['30'], expected: 10, expectedFromFlag: 30 },
    advertiseUrl: { env: 'ws://a:1', other: 'ws://b:2', flag: ['wss://c:3'], expected: 'ws://a:1', expectedFromFlag: 'wss://c:3' },
    errorStacks: { env: 'yes', other: 'no', flag: [], expected: true },
    heartbeatMs: { env: '11', other: '12', flag: ['13'], expected: 11, expectedFromFlag: 13 },
    handshakeTimeoutMs: { env: '21', other: '22', flag: ['23'], expected: 21, expectedFromFlag: 23 },
    maxSessions: { env: '31', other: '32', flag: ['33'], expected: 31, expectedFromFlag: 33 },
    maxInFlight: { env: '41', other: '42', flag: ['43'], expected: 41, expectedFromFlag: 43 },
    maxBufferedBytes: { env: '5000', other: '6000', flag: ['7000'], expected: 5000, expectedFromFlag: 7000 },
    drainTimeoutMs: { env: '51', other: '52', flag: ['53'], expected: 51, expectedFromFlag: 53 },
    metricsToken: { env: 'tok-env', other: 'tok-other', flag: ['tok-flag'], expected: 'tok-env', expectedFromFlag: 'tok-flag' },
    metricsTokenFile: { env: '/t/env', other: '/t/other', flag: ['/t/flag'], expected: '/t/env', expectedFromFlag: '/t/flag' },
    authThrottleMs: { env: '61', other: '62', flag: ['63'], expected: 61, expectedFromFlag: 63 },
  } satisfies Record<keyof typeof DAEMON_OPTIONS, Row>
  test.each(Object.entries(rows) as Array<[keyof typeof DAEMON_OPTIONS, Row]>)('%s: its env twin alone sets it; its flag wins', (name, row) => {
    const spec = DAEMON_OPTIONS[name]
    const fromEnv = parseDaemonConfig([], { ...row.companions, [spec.env]: row.env })
    expect(fromEnv[name]).toEqual(row.expected)
    // A bool flag takes no value: against an env saying false, the flag says true.
    const flagEnv = { ...row.companions, [spec.env]: spec.kind === 'bool' ? 'false' : row.other }
    const fromFlag = parseDaemonConfig([`--${spec.flag}`, ...row.flag], flagEnv)
    expect(fromFlag[name]).toEqual(row.expectedFromFlag ?? row.expected)
  })

  test('list and bool env values', () => {
    const c = parseDaemonConfig([], { MANAGERD_TYPES: 'a.js, b.js', MANAGERD_REQUIRE_AUTHKEY: 'yes' })
    expect(c.types).toEqual(['a.js', 'b.js'])
    expect(c.requireAuthkey).toBe(true)
  })

  const bad: Array<[string, string[], Record<string, string>, RegExp]> = [
    ['unknown flag', ['--bogus'], {}, /Unknown option/],
    ['non-numeric port', ['--port', 'abc'], {}, /--port: expected a whole number/],
    ['port out of range', ['--port', '70000'], {}, /at most 65535/],
    ['negative grace', ['--session-grace-ms=-1'], {}, /whole number/],
    ['tiny frame limit', ['--max-frame-bytes', '10'], {}, /at least 1024/],
    ['bad env number', [], { MANAGERD_HEARTBEAT_MS: 'soon' }, /MANAGERD_HEARTBEAT_MS/],
    ['bad env bool', [], { MANAGERD_ERROR_STACKS: 'maybe' }, /MANAGERD_ERROR_STACKS/],
    ['bad log level', ['--log-level', 'loud'], {}, /log level/],
    ['cert without key', ['--tls-cert', 'c.pem'], {}, /go together/],
    ['bad advertise url', ['--advertise-url', 'http://x'], {}, /ws:\/\//],
    ['positional argument', ['extra'], {}, /nexpected argument|positional/i],
  ]
  test.each(bad)('%s is a ConfigError', (_name, argv, env, message) => {
    let err: unknown
    try {
      parseDaemonConfig(argv, env)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as Error).message).toMatch(message)
  })

  test('--help lists every flag with its env twin', () => {
    const usage = daemonUsage()
    for (const spec of Object.values(DAEMON_OPTIONS)) {
      expect(usage).toContain(`--${spec.flag}`)
      expect(usage).toContain(spec.env)
    }
  })
})
