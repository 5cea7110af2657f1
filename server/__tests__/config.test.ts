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
