// What the daemon logs for an operator — session start, resume and end with what the end
// released, limit violations, shutdown — with one child logger per session, and never a secret:
// the captured logs are searched for the authkey, resume tokens and the metrics token.

import { spawn } from 'node:child_process'
import { openWsLink } from '../client/links/ws-link'
import { ConnectionLostError, DEFAULT_MAX_FRAME_BYTES } from '../protocol'
import { CLI } from './helpers/cli'
import { eventually, startHarness, TEST_KEY } from './helpers/harness'

const METRICS_TOKEN = 'metrics-token-for-the-log-test-42'

const link = (address: string, hello: { name?: string; resume?: string }) =>
  openWsLink(address, { authkey: TEST_KEY, hello, handshakeTimeoutMs: 5000, maxFrameBytes: DEFAULT_MAX_FRAME_BYTES, heartbeatMs: 0 })

describe('daemon logs', () => {
  test('sessions start, resume and end with their ids, names and addresses; no secret is ever written', async () => {
    await using h = await startHarness({ metricsToken: METRICS_TOKEN, authThrottleMs: 0, sessionGraceMs: 10_000 })
    const http = h.address.replace('ws://', 'http://')
    const m = await h.client({ name: 'logged-client' })
    const lock = await m.lock()
    await lock.acquire()
    await expect(h.client({ authkey: 'a-wrong-key-0000' })).rejects.toThrow()
    expect((await fetch(`${http}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200)
    expect((await fetch(`${http}/status.json`, { headers: { authorization: `Bearer ${METRICS_TOKEN}-wrong` } })).status).toBe(401)

    // A session that loses its connection and is resumed with its token, then closes.
    const first = await link(h.address, { name: 'resumer' })
    const resumeToken = first.welcome.resumeToken
    first.close(4000, 'pretend the network broke')
    await eventually(() => h.logs.find('connection lost; session kept for resume').length === 1, 5000, 'the detach')
    const second = await link(h.address, { name: 'resumer', resume: resumeToken })
    expect(second.welcome).toMatchObject({ resumed: true, sessionId: first.welcome.sessionId })
    second.close(1000, 'bye')
    await m.close() // ends holding the lock: the release is logged
    await eventually(() => h.logs.find('session ended').length === 2, 5000, 'both sessions to end')

    const started = h.logs.find('session started')
    expect(started.find((l) => l.client === 'logged-client')).toMatchObject({ session: m.sessionId, remote: '127.0.0.1' })
    expect(h.logs.find('session resumed')).toEqual([expect.objectContaining({ session: first.welcome.sessionId, client: 'resumer' })])
    expect(h.logs.find('session ended').find((l) => l.client === 'logged-client')).toMatchObject({
      session: m.sessionId,
      reason: 'closed by the client',
      references: 1,
      holds: 1,
      parkedCalls: 0,
    })
    expect(h.logs.find('session ended holding a lock; released it')).toEqual([expect.objectContaining({ session: m.sessionId, client: 'logged-client', level: 40 })])
    expect(h.logs.find('authentication failed')).toHaveLength(1)

    const text = h.logs.text()
    for (const secret of [TEST_KEY, resumeToken, m.connection.welcome.resumeToken, METRICS_TOKEN, 'a-wrong-key-0000']) {
      expect(text).not.toContain(secret)
    }
  })

  test('limit violations are logged: an oversized frame, too many calls in flight (once), too many sessions', async () => {
    await using h = await startHarness({ maxFrameBytes: 1024, maxInFlight: 2, maxSessions: 2 })
    const big = await h.client({ name: 'big-sender' })
    const d = await big.dict()
    await expect(d.set('x', 'y'.repeat(4000))).rejects.toThrow(ConnectionLostError)
    await eventually(() => h.logs.find('protocol violation; closing').length === 1, 5000, 'the violation to be logged')
    expect(h.logs.find('protocol violation; closing')[0]).toMatchObject({ client: 'big-sender', code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', level: 40 })

    const busy = await h.client({ name: 'busy' })
    const q = await busy.queue()
    await busy.publish('jobs', q) // at its limit, busy can call nothing: another session will put
    const parked = [q.get(), q.get()]
    const busySession = [...h.daemon.core.sessions.values()].find((s) => s.name === 'busy')!
    await eventually(() => busySession.parked.size === 2, 5000, 'two parked gets')
    await expect(q.get()).rejects.toMatchObject({ remoteCode: 'MANAGERD_ERR_TOO_MANY_IN_FLIGHT' })
    await expect(q.get()).rejects.toMatchObject({ remoteCode: 'MANAGERD_ERR_TOO_MANY_IN_FLIGHT' })
    expect(h.logs.find('too many calls in flight; refusing more')).toEqual([expect.objectContaining({ client: 'busy', maxInFlight: 2 })])

    const third = await h.client({ name: 'third' })
    await expect(h.client({ name: 'one-too-many' })).rejects.toThrow()
    expect(h.logs.find('session limit reached')).toEqual([expect.objectContaining({ maxSessions: 2 })])
    const jobs = await third.lookup<typeof q>('jobs')
    await jobs.put(1)
    await jobs.put(2)
    await Promise.all(parked)
    await busy.unpublish('jobs')
    await third.close()
  })

  test('shutdown is logged: who asked, the drain, the stop', async () => {
    const h = await startHarness()
    const m = await h.client({ name: 'stopper' })
    await m.shutdown()
    await h.daemon.stopped
    expect(h.logs.find('shutdown requested by a client')).toEqual([expect.objectContaining({ client: 'stopper' })])
    expect(h.logs.find('draining')).toEqual([expect.objectContaining({ reason: 'shutdown() called by a client' })])
    expect(h.logs.find('stopped')).toHaveLength(1)
  })
})

describe('log format', () => {
  // stdout is a pipe here, as under systemd or docker: JSON unless --log-pretty asks otherwise.
  const firstLines = (args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, '--port', '0', ...args], { env: { ...process.env, MANAGERD_AUTHKEY: 'k' }, stdio: ['ignore', 'pipe', 'pipe'] })
      let out = ''
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString()
        if (out.includes('listening')) child.kill('SIGTERM')
      })
      child.on('error', reject)
      child.on('exit', () => resolve(out))
    })

  test('JSON lines by default when stdout is not a TTY; readable lines with --log-pretty', async () => {
    const json = await firstLines([])
    expect(() => json.trim().split('\n').map((l) => JSON.parse(l) as unknown)).not.toThrow()
    const pretty = await firstLines(['--log-pretty'])
    const line = pretty.split('\n').find((l) => l.includes('listening'))!
    expect(line).toMatch(/INFO/)
    expect(() => JSON.parse(line) as unknown).toThrow()
  })
})
