'use strict'
// The multi-host scenario, run by hosts.sh once namespaces A, B and C exist: the daemon on A,
// clients on B and C sharing a dict and a published name (plus a queue and a lock when the daemon
// has those types). C is cut off while holding session-owned things; after the grace period the
// daemon must end C's session, log it, and release what C held. Healed, C's client reconnects by
// itself: it is told its session was lost, its old proxies fail with StaleProxyError, and it
// works again on its new session.
const { spawn } = require('node:child_process')
const { openSync, readFileSync, writeFileSync } = require('node:fs')
const { join } = require('node:path')
const { assert, step, main, sh, waitFor, withTimeout, agentOn, logRecords, say, ms } = require('./harness')

const env = process.env
const CLI = join(__dirname, '..', '..', 'dist', 'server', 'daemon', 'cli.js')
const ARTIFACTS = env.HOSTS_ARTIFACTS
const LOG = join(ARTIFACTS, 'daemon.log')
const PORT = 7400
const ADDRESS = `ws://${env.HOSTS_DAEMON_IP}:${PORT}`
// Small on purpose: a dead peer is noticed after ~2 heartbeats, then the grace period runs.
const HEARTBEAT_MS = 500
const GRACE_MS = 2000
/** C reconnects soon after the link heals: attempts into the cut link give up after 1 s. */
const C_OPTIONS = { handshakeTimeoutMs: 1000, reconnect: { initialDelayMs: 100, maxDelayMs: 1000 } }

let daemon
let daemonExit
const agents = []
const measured = { heartbeatMs: HEARTBEAT_MS, sessionGraceMs: GRACE_MS }

const records = () => logRecords(LOG)
const linkC = (state) => sh('ip', ['-n', env.HOSTS_SWITCH, 'link', 'set', env.HOSTS_C_PORT, state])

async function scenario() {
  await step(`daemon on host A (${ADDRESS}, --heartbeat-ms ${HEARTBEAT_MS} --session-grace-ms ${GRACE_MS})`, async () => {
    const out = openSync(LOG, 'w')
    daemon = spawn(
      'ip',
      ['netns', 'exec', env.HOSTS_A, process.execPath, CLI, '--host', env.HOSTS_DAEMON_IP, '--port', String(PORT),
        '--heartbeat-ms', String(HEARTBEAT_MS), '--session-grace-ms', String(GRACE_MS), '--drain-timeout-ms', '5000'],
      { stdio: ['ignore', out, out] },
    )
    daemonExit = new Promise((resolve) => daemon.on('exit', (code, signal) => resolve({ code, signal })))
    await waitFor('the daemon to listen', () => {
      if (daemon.exitCode !== null) throw new Error(`the daemon exited ${daemon.exitCode}:\n${readFileSync(LOG, 'utf8')}`)
      return records().find((r) => r.msg === 'listening')
    })
  })

  const b = agentOn('B', env.HOSTS_B)
  const c = agentOn('C', env.HOSTS_C)
  agents.push(b, c)

  const { sessionB, sessionC } = await step('B and C connect from their own hosts', async () => {
    const sb = await b.do('connect', { address: ADDRESS, name: 'host-b' })
    const sc = await c.do('connect', { address: ADDRESS, name: 'host-c', options: C_OPTIONS })
    const info = await b.do('manager', { method: 'debugInfo' })
    const remote = (id) => info.sessions.find((s) => s.id === id)?.remoteAddress
    assert.equal(remote(sb.sessionId), '10.200.0.2', 'B arrives from its own address')
    assert.equal(remote(sc.sessionId), '10.200.0.3', 'C arrives from its own address')
    return { sessionB: sb.sessionId, sessionC: sc.sessionId }
  })

  const types = await b.do('manager', { method: 'listTypes' })
  const has = (typeid) => types.some((t) => t.typeid === typeid)
  const withQueue = has('Queue')
  const withLock = has('Lock')
  say(`  sync types on the daemon: Queue ${withQueue ? 'yes' : 'not yet'}, Lock ${withLock ? 'yes' : 'not yet'}`)
  measured.withLock = withLock

  await step('B and C share a dict through a published name', async () => {
    await b.do('create', { as: 'shared', typeid: 'dict' })
    await b.do('call', { handle: 'shared', method: 'set', args: ['b', 1] })
    await b.do('publish', { name: 'shared', handle: 'shared' })
    await c.do('lookup', { name: 'shared', as: 'shared' })
    assert.equal(await c.do('call', { handle: 'shared', method: 'get', args: ['b'] }), 1)
    await c.do('call', { handle: 'shared', method: 'set', args: ['c', 2] })
    assert.equal(await b.do('call', { handle: 'shared', method: 'get', args: ['c'] }), 2)
  })

  if (withQueue) {
    await step('B and C share a queue', async () => {
      await b.do('create', { as: 'jobs', typeid: 'Queue' })
      await b.do('publish', { name: 'jobs', handle: 'jobs' })
      await c.do('lookup', { name: 'jobs', as: 'jobs' })
      await c.do('call', { handle: 'jobs', method: 'put', args: ['job-from-c'] })
      assert.equal(await b.do('call', { handle: 'jobs', method: 'get', args: [{ timeoutMs: 10_000 }] }), 'job-from-c')
    })
  }

  const privateId = await step('C holds session-owned things: its own dict' + (withLock ? ' and the shared lock' : ''), async () => {
    const { id } = await c.do('create', { as: 'private', typeid: 'dict' })
    await c.do('call', { handle: 'private', method: 'set', args: ['only', 'C holds this'] })
    if (withLock) {
      await b.do('create', { as: 'lock', typeid: 'Lock' })
      await b.do('publish', { name: 'lock', handle: 'lock' })
      await c.do('lookup', { name: 'lock', as: 'lock' })
      assert.equal(await c.do('call', { handle: 'lock', method: 'acquire', args: [] }), true, 'C acquires the lock')
      assert.equal(await b.do('call', { handle: 'lock', method: 'acquire', args: [{ block: false }] }), false, 'B cannot while C holds it')
    }
    const info = await b.do('manager', { method: 'debugInfo' })
    const obj = info.objects.find((o) => o.id === id)
    assert.ok(obj, "the daemon has C's dict")
    assert.deepEqual(obj.holders.sessions.map((s) => s.id), [sessionC], "C's session is what holds it")
    return id
  })
  const objectsBefore = await b.do('manager', { method: 'numberOfObjects' })

  const cEventsAtCut = c.events.length
  const cutAt = Date.now()
  await step(`cut C's link (ip -n SWITCH link set ${env.HOSTS_C_PORT} down)`, () => linkC('down'))

  // B queues for the lock right away: it must get it when, and only when, C's session ends.
  const bGetsLock = withLock
    ? b.send('call', { handle: 'lock', method: 'acquire', args: [{ timeoutMs: 60_000 }] }, 90_000).then((reply) => ({ reply, at: Date.now() }))
    : undefined

  const ended = await step("the daemon ends C's session after the grace period, and logs it", async () => {
    const rec = await waitFor("a 'session ended' record for C", () =>
      records().find((r) => r.msg === 'session ended' && r.session === sessionC),
    )
    assert.match(rec.reason, /grace/, `C's session ends because it was not resumed in time (reason: ${rec.reason})`)
    const lost = records().find((r) => r.session === sessionC && /connection lost/.test(r.msg))
    assert.ok(lost, 'the daemon first noticed the dead link and kept the session for resume')
    assert.ok(rec.time - lost.time >= GRACE_MS - 50, 'the session was kept for the grace period')
    measured.deadLinkNoticedMs = lost.time - cutAt
    measured.sessionEndedMs = rec.time - cutAt
    const cDown = c.events.slice(cEventsAtCut).find((e) => e.event === 'disconnect')
    assert.ok(cDown, "C's client noticed the dead link too (its own heartbeat) and began to reconnect")
    measured.cNoticedMs = cDown.at - cutAt
    for (const r of records().filter((r) => r.session === sessionC)) {
      say(`    daemon log: ${JSON.stringify({ time: new Date(r.time).toISOString(), level: r.level, msg: r.msg, reason: r.reason, references: r.references, graceMs: r.graceMs })}`)
    }
    return rec
  })

  await step('what C held is released: its dict is freed' + (withLock ? ', and B gets the lock' : ''), async () => {
    const info = await b.do('manager', { method: 'debugInfo' })
    assert.ok(!info.objects.some((o) => o.id === privateId), "C's dict is gone")
    assert.ok(!info.sessions.some((s) => s.id === sessionC), "C's session is gone")
    assert.equal(await b.do('manager', { method: 'numberOfObjects' }), objectsBefore - 1, 'exactly one object fewer')
    // What C wrote into the shared dict stays: the published name holds the dict, not C.
    assert.equal(await b.do('call', { handle: 'shared', method: 'get', args: ['c'] }), 2)
    if (withLock) {
      const { reply, at } = await bGetsLock
      assert.ok(reply.ok && reply.value === true, `B acquires the lock C held: ${JSON.stringify(reply)}`)
      assert.ok(at >= ended.time - 5, 'not before C’s session ended')
      measured.lockReleasedMs = at - cutAt
    }
  })
  const cSawDuringCut = c.events.slice(cEventsAtCut).map((e) => e.event)
  say(`  C's client meanwhile: ${cSawDuringCut.length ? cSawDuringCut.join(', ') : 'no event yet'}`)

  const cEventsAtHeal = c.events.length
  const healedAt = Date.now()
  await step("heal C's link", () => linkC('up'))

  await step("C reconnects by itself: sessionLost, then a new session", async () => {
    const lostEvent = await c.event('sessionLost', { from: cEventsAtHeal })
    assert.equal(lostEvent.data.previousSessionId, sessionC, 'the session lost is the one that was cut')
    assert.match(lostEvent.data.reason, /grace period/)
    const back = await c.event('reconnect', { from: cEventsAtHeal })
    assert.equal(back.data.resumed, false, 'not resumed: the daemon ended it')
    assert.notEqual(back.data.sessionId, sessionC, 'a new session')
    measured.cReconnectedAfterHealMs = back.at - healedAt
    const info = await b.do('manager', { method: 'debugInfo' })
    assert.equal(info.sessions.find((s) => s.id === back.data.sessionId)?.remoteAddress, '10.200.0.3', "C's new session")
    const seen = c.events.slice(cEventsAtCut).map((e) => e.event)
    assert.ok(!seen.includes('close'), `C's manager never closed: ${seen.join(', ')}`)
    say(`    C's events since the cut: ${seen.join(', ')}`)
  })

  await step("C's old proxies fail cleanly with StaleProxyError", async () => {
    for (const handle of ['shared', 'private', ...(withLock ? ['lock'] : [])]) {
      const err = await c.fails('call', { handle, method: handle === 'lock' ? 'release' : 'get', args: handle === 'lock' ? [] : ['b'] })
      assert.equal(err.code, 'MANAGERD_ERR_STALE_PROXY', `${handle}: ${JSON.stringify(err)}`)
      if (handle === 'shared') say(`    ${err.name} (${err.code}): ${err.message}`)
    }
    measured.cOldSessionError = 'MANAGERD_ERR_STALE_PROXY'
  })

  await step('C works again on its new session', async () => {
    await c.do('lookup', { name: 'shared', as: 'shared' })
    assert.equal(await c.do('call', { handle: 'shared', method: 'get', args: ['b'] }), 1)
    await c.do('call', { handle: 'shared', method: 'set', args: ['c-again', 3] })
    assert.equal(await b.do('call', { handle: 'shared', method: 'get', args: ['c-again'] }), 3)
    if (withLock) {
      await c.do('lookup', { name: 'lock', as: 'lock' })
      assert.equal(await c.do('call', { handle: 'lock', method: 'acquire', args: [{ block: false }] }), false, 'B holds it now')
      await b.do('call', { handle: 'lock', method: 'release' })
      assert.equal(await c.do('call', { handle: 'lock', method: 'acquire', args: [{ timeoutMs: 10_000 }] }), true)
      await c.do('call', { handle: 'lock', method: 'release' })
    }
  })

  await step('SIGTERM the daemon: B and C get GOAWAY, then the close (they would reconnect), the daemon exits 0', async () => {
    const bFrom = b.events.length
    const cFrom = c.events.length
    daemon.kill('SIGTERM')
    await b.event('goaway', { from: bFrom })
    await c.event('goaway', { from: cFrom })
    for (const agent of [b, c]) assert.equal((await agent.event('disconnect', { from: agent === b ? bFrom : cFrom })).data.code, 1001)
    const { code, signal } = await withTimeout(daemonExit, 30_000, 'the daemon exiting')
    assert.equal(code, 0, `exit code (signal ${signal})`)
    assert.ok(records().some((r) => r.msg === 'stopped'), "the daemon logged 'stopped'")
  })
}

async function finish() {
  await Promise.all(agents.map((a) => a.stop()))
  if (daemon !== undefined && daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL')
  writeFileSync(join(ARTIFACTS, 'measurements.json'), JSON.stringify(measured, null, 2) + '\n')
  if (measured.sessionEndedMs !== undefined) {
    say(`measured (from the cut): dead link noticed by the daemon ${ms(measured.deadLinkNoticedMs)}` +
      (measured.cNoticedMs !== undefined ? `, by C's client ${ms(measured.cNoticedMs)}` : '') +
      `, session ended ${ms(measured.sessionEndedMs)}` +
      (measured.lockReleasedMs !== undefined ? `, lock acquired by B ${ms(measured.lockReleasedMs)}` : '') +
      (measured.cReconnectedAfterHealMs !== undefined ? `; C reconnected ${ms(measured.cReconnectedAfterHealMs)} after the heal` : ''))
  }
}

main(scenario, finish)
