// The operator's subcommands as users run them: `managerd inspect` answers who holds which lock
// and object, `managerd status` whether the daemon is healthy and how busy it is; usage errors
// exit 2 with one line, an unreachable daemon exits 1, and every subcommand has --help.

import type { DebugInfo } from '../protocol'
import { runCli, runCliAsync } from './helpers/cli'
import { startHarness, TEST_KEY } from './helpers/harness'

const env = { MANAGERD_AUTHKEY: TEST_KEY, MANAGERD_AUTHKEY_FILE: '' }

describe('managerd inspect', () => {
  test('shows which session holds a lock, and every holder of an object', async () => {
    await using h = await startHarness()
    const holder = await h.client({ name: 'lock-holder' })
    const other = await h.client({ name: 'other' })
    const lock = await holder.lock()
    await lock.acquire()
    const rlock = await holder.rlock()
    await rlock.acquire({ owner: 'task-a' })
    await rlock.acquire({ owner: 'task-a' })
    const d = await other.dict()
    await other.publish('shared', d)
    const l = await holder.list()
    const shared = await holder.lookup<typeof d>('shared')
    await l.append(shared) // the list holds the dict too
    await shared.$release()

    const r = await runCliAsync(['inspect', '--url', h.address, '--json'], env)
    expect([r.code, r.stderr]).toEqual([0, ''])
    const info = JSON.parse(r.stdout) as DebugInfo
    expect(info.sessions.map((s) => s.name).sort()).toEqual(['lock-holder', 'other']) // not inspect's own
    const holderSession = info.sessions.find((s) => s.name === 'lock-holder')!
    const otherSession = info.sessions.find((s) => s.name === 'other')!
    expect(holderSession.holds).toEqual([
      { id: lock.$token.id, typeid: 'Lock', kind: 'lock', count: 1, label: null },
      { id: rlock.$token.id, typeid: 'RLock', kind: 'lock', count: 2, label: 'task-a' },
    ])
    expect(otherSession.holds).toEqual([])
    expect(info.objects.find((o) => o.id === d.$token.id)).toEqual({
      id: d.$token.id,
      typeid: 'dict',
      refcount: 3,
      holders: { sessions: [{ id: otherSession.id, count: 1 }], objects: [{ id: l.$token.id, count: 1 }], names: ['shared'] },
    })

    const text = await runCliAsync(['inspect', '--url', h.address], env)
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(new RegExp(`^${lock.$token.id}\\s+Lock\\s+lock\\s+1\\s+${holderSession.id} \\(lock-holder\\)`, 'm'))
    expect(text.stdout).toMatch(new RegExp(`^${rlock.$token.id}\\s+RLock\\s+lock\\s+2\\s+${holderSession.id} \\(lock-holder\\)\\s+task-a$`, 'm'))
    expect(text.stdout).toContain(`session ${otherSession.id} (other), list ${l.$token.id}, name "shared"`)
    expect(text.stdout).toMatch(/^SESSIONS \(2\)$/m)

    // "How many objects does this client keep alive?"
    const one = JSON.parse((await runCliAsync(['inspect', '--url', h.address, '--json', '--session', 'lock-holder'], env)).stdout) as DebugInfo
    expect(one.sessions.map((s) => s.id)).toEqual([holderSession.id])
    expect(one.objects.map((o) => o.id).sort()).toEqual([lock.$token.id, rlock.$token.id, l.$token.id].sort())
    const ofLock = JSON.parse((await runCliAsync(['inspect', '--url', h.address, '--json', '--object', lock.$token.id], env)).stdout) as DebugInfo
    expect(ofLock.objects.map((o) => o.id)).toEqual([lock.$token.id])
    expect(ofLock.sessions.map((s) => s.name)).toEqual(['lock-holder'])

    await lock.release()
    const after = JSON.parse((await runCliAsync(['inspect', '--url', h.address, '--json', '--session', 'lock-holder'], env)).stdout) as DebugInfo
    expect(after.sessions[0]!.holds.map((x) => x.typeid)).toEqual(['RLock'])
    await other.unpublish('shared')
  })
})

describe('managerd status', () => {
  test('healthy and busy: uptime, sessions, objects and calls/s; the status session itself is not counted', async () => {
    await using h = await startHarness()
    const worker = await h.client({ name: 'worker' })
    const d = await worker.dict<string, number>()
    // Held in a variable until the end: a discarded proxy may be collected, and its decref would free the queue mid-test.
    const q = await worker.queue()
    let running = true
    const load = (async () => {
      for (let i = 0; running; i++) await d.set('n', i)
    })()
    const r = await runCliAsync(['status', '--url', h.address, '--json', '--interval-ms', '500'], env)
    const text = await runCliAsync(['status', '--url', h.address, '--interval-ms', '200'], env)
    running = false
    await load
    expect([r.code, r.stderr]).toEqual([0, ''])
    const report = JSON.parse(r.stdout) as Record<string, unknown>
    expect(report).toMatchObject({
      url: h.address,
      healthz: 200,
      readyz: 'ready',
      sessions: { total: 1, connected: 1, detached: 0 },
      objects: { total: 2, byType: { dict: 1, Queue: 1 } },
      names: 0,
      parkedCalls: 0,
    })
    expect(report.callsPerSecond).toBeGreaterThan(0)
    expect(report.uptimeMs).toBeGreaterThan(0)
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^daemon +ws:\/\/127\.0\.0\.1:\d+ +ready \(healthz 200\)$/m)
    expect(text.stdout).toMatch(/^sessions +1 \(1 connected, 0 detached\)$/m)
    expect(text.stdout).toMatch(/^objects +2: Queue 1, dict 1; 0 published names$/m)
    expect(text.stdout).toMatch(/^calls\/s +\d+(\.\d)? \(over \d\.\d s; 0 errors since start\)$/m)
    expect(await q.qsize()).toBe(0)
  })

  test('a daemon that is not there, or refuses the key, exits 1 with one line', async () => {
    await using h = await startHarness({ authThrottleMs: 0 })
    const gone = await runCliAsync(['status', '--url', 'ws://127.0.0.1:1'], env)
    expect(gone.code).toBe(1)
    expect(gone.stderr).toMatch(/^managerd: http:\/\/127\.0\.0\.1:1\/healthz: .*ECONNREFUSED/)
    const wrongKey = await runCliAsync(['inspect', '--url', h.address], { MANAGERD_AUTHKEY: 'not-the-key' })
    expect(wrongKey.code).toBe(1)
    expect(wrongKey.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^managerd: cannot authenticate to ws:\/\/127\.0\.0\.1:\d+: /)])
  })
})

describe('usage errors exit 2 with one line', () => {
  const cases: Array<[string, string[], Record<string, string>, RegExp]> = [
    ['status: a bad --interval-ms', ['status', '--interval-ms', 'soon'], {}, /--interval-ms: expected a whole number/],
    ['status: too short an interval', ['status', '--interval-ms', '5'], {}, /--interval-ms: must be between 100 and 60000/],
    ['status: a bad --url', ['status', '--url', 'localhost:7400'], {}, /--url must look like ws:\/\/HOST:PORT/],
    ['status: a missing --ca file', ['status', '--ca', '/nonexistent/ca.pem'], {}, /cannot read --ca .*ENOENT/],
    ['inspect: an unknown flag', ['inspect', '--bogus'], {}, /inspect: Unknown option '--bogus'/],
    ['inspect: an unreadable key file', ['inspect', '--authkey-file', '/nonexistent/key'], {}, /cannot read authkey file .*ENOENT/],
    ['inspect: a flag without its value', ['inspect', '--session'], {}, /inspect: Option '--session <value>' argument missing/],
    ['keygen: --out without a file', ['keygen', '--out'], {}, /keygen: Option '--out <value>' argument missing/],
    ['serve: an unreadable token file', ['--port', '0', '--metrics-token-file', '/nonexistent/token'], { MANAGERD_AUTHKEY: 'k' }, /cannot read metrics token file .*ENOENT/],
    ['serve: both token sources', ['--port', '0', '--metrics-token', 'a'.repeat(20), '--metrics-token-file', '/tmp/x'], { MANAGERD_AUTHKEY: 'k' }, /not both/],
    ['serve: a token with a space', ['--port', '0'], { MANAGERD_AUTHKEY: 'k', MANAGERD_METRICS_TOKEN: 'has a space' }, /must not contain whitespace/],
    ['serve: a bad --log-pretty value', ['--port', '0'], { MANAGERD_LOG_PRETTY: 'maybe' }, /MANAGERD_LOG_PRETTY: expected true or false/],
  ]
  test.each(cases)('%s', (_name, args, extraEnv, message) => {
    const r = runCli(args, extraEnv)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })
})

describe('--help', () => {
  const commands: Array<[string, RegExp]> = [
    ['serve', /--metrics-token-file VALUE/],
    ['status', /--interval-ms N/],
    ['inspect', /--session ID\|NAME/],
    ['keygen', /--out FILE/],
  ]
  test.each(commands)('managerd %s --help', (command, flag) => {
    const r = runCli([command, '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^Usage: managerd (\\[)?${command}`))
    expect(r.stdout).toMatch(flag)
  })

  test('managerd --help lists every command', () => {
    const r = runCli(['--help'])
    for (const c of ['serve', 'status', 'inspect', 'keygen']) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'))
  })
})
