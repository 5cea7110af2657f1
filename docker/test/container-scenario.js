'use strict'
// The container scenario, run by container.sh once the image is built and the namespaces exist:
// the image refuses to start without a key; with the key as a secret it turns healthy; a client
// on the host and one in another namespace share a dict (and a type from a mounted --types
// module); the example worker runs from the same image; SIGTERM drains, both clients get GOAWAY,
// and the container exits 0.
const { writeFileSync } = require('node:fs')
const { join } = require('node:path')
const { assert, step, main, run, sh, waitFor, agentOn, say, ms } = require('./harness')

const env = process.env
const ARTIFACTS = env.CTR_ARTIFACTS
const IMAGE = env.CTR_IMAGE
const NAME = env.CTR_NAME
const ADDRESS = `ws://${env.CTR_IP}:7400`
const TYPES_DIR = join(__dirname, '..', 'types')
const SECRET_PATH = '/run/secrets/managerd_authkey'
/** The key as a secret, readable only by the image's user: what compose does with `secrets:`. */
const SECRET_ARGS = ['--secret', `${env.CTR_SECRET},type=mount,target=managerd_authkey,uid=1000,mode=0400`, '-e', `MANAGERD_AUTHKEY_FILE=${SECRET_PATH}`]
/** A read-only root shows the daemon writes nothing; podman 4.3 then needs /run/secrets on a tmpfs. */
const READ_ONLY_ARGS = ['--read-only', '--tmpfs', '/run/secrets']
const CLEAN_FAILURES = new Set(['MANAGERD_ERR_CONNECTION_LOST', 'MANAGERD_ERR_SESSION_LOST', 'MANAGERD_ERR_CLOSED'])

const agents = []
const measured = {
  baseImageSeconds: Number(env.CTR_BASE_SECONDS),
  baseImageCached: env.CTR_BASE_CACHED === '1',
  buildSeconds: Number(env.CTR_BUILD_SECONDS),
  buildStepsFromCache: `${env.CTR_BUILD_CACHED_STEPS} of ${env.CTR_BUILD_STEPS}`,
}

const inspect = async (format, what = NAME, kind = 'container') => sh('podman', [kind, 'inspect', '--format', format, what])
const containerLogs = async () => (await run('podman', ['logs', NAME])).stdout

async function scenario() {
  await step('the image: non-root user, port 7400, a node HEALTHCHECK, its size', async () => {
    const config = JSON.parse(await inspect('{{json .Config}}', IMAGE, 'image'))
    assert.equal(config.User, 'node')
    assert.ok(Object.keys(config.ExposedPorts ?? {}).includes('7400/tcp'), `exposes 7400: ${JSON.stringify(config.ExposedPorts)}`)
    const test = JSON.parse(await inspect('{{json .HealthCheck}}', IMAGE, 'image'))?.Test ?? []
    assert.ok(test.includes('node') && !test.join(' ').includes('curl'), `HEALTHCHECK with node: ${JSON.stringify(test)}`)
    measured.imageBytes = Number(await inspect('{{.Size}}', IMAGE, 'image'))
    const base = Number(await inspect('{{.Size}}', 'docker.io/library/node:20-bookworm-slim', 'image'))
    measured.appLayersBytes = measured.imageBytes - base
    say(`    ${IMAGE}: ${mb(measured.imageBytes)} (${mb(base)} base + ${mb(measured.appLayersBytes)} managerd)`)
  })

  await step('without a key the container refuses to start, saying why', async () => {
    const r = await run('podman', ['run', '--rm', '--network=none', IMAGE])
    assert.equal(r.code, 2, `exit code 2 (got ${r.code})`)
    assert.match(r.stderr, /no authkey configured/)
    say(`    ${r.stderr.split('\n').find((l) => l.includes('no authkey'))}`)
  })

  const startedAt = Date.now()
  await step('run it with the key as a secret, a --types volume and a read-only root', () =>
    sh('podman', ['run', '-d', '--name', NAME, '--network', `ns:/run/netns/${env.CTR_NETNS}`, ...READ_ONLY_ARGS, ...SECRET_ARGS,
      '-v', `${TYPES_DIR}:/types:ro`, '-e', 'MANAGERD_TYPES=/types/counter.js', '-e', `MANAGERD_ADVERTISE_URL=${ADDRESS}`, IMAGE]),
  )

  await step('wait until `podman healthcheck run` reports healthy', async () => {
    await waitFor('a healthy container', async () => {
      const state = await inspect('{{.State.Status}}')
      if (state !== 'running') throw new Error(`the container is ${state}:\n${await containerLogs()}`)
      return (await run('podman', ['healthcheck', 'run', NAME])).code === 0
    }, { timeoutMs: 60_000, intervalMs: 100 })
    measured.healthyAfterMs = Date.now() - startedAt
    assert.equal(await sh('podman', ['exec', NAME, 'id', '-un']), 'node', 'runs as node')
    const listening = (await containerLogs()).split('\n').find((l) => l.includes('"msg":"listening"'))
    assert.ok(listening?.includes('"host":"0.0.0.0"'), `listens on 0.0.0.0: ${listening}`)
    say(`    healthy ${ms(measured.healthyAfterMs)} after podman run`)
  })

  const host = agentOn('host', null)
  const other = agentOn('netns', env.CTR_CLIENT_NS)
  agents.push(host, other)

  await step(`a client on the host (${env.CTR_HOST_IP}) and one in another namespace (${env.CTR_CLIENT_IP}) share a dict`, async () => {
    const h = await host.do('connect', { address: ADDRESS, name: 'on-the-host' })
    // One client with reconnecting off: at the stop it closes for good (the other would reconnect).
    const o = await other.do('connect', { address: ADDRESS, name: 'in-a-namespace', options: { reconnect: false } })
    await host.do('create', { as: 'shared', typeid: 'dict' })
    await host.do('call', { handle: 'shared', method: 'set', args: ['from-host', 1] })
    await host.do('publish', { name: 'shared', handle: 'shared' })
    await other.do('lookup', { name: 'shared', as: 'shared' })
    assert.equal(await other.do('call', { handle: 'shared', method: 'get', args: ['from-host'] }), 1)
    await other.do('call', { handle: 'shared', method: 'set', args: ['from-namespace', 2] })
    assert.equal(await host.do('call', { handle: 'shared', method: 'get', args: ['from-namespace'] }), 2)
    const info = await host.do('manager', { method: 'debugInfo' })
    const remote = (id) => info.sessions.find((s) => s.id === id)?.remoteAddress
    assert.equal(remote(h.sessionId), env.CTR_HOST_IP)
    assert.equal(remote(o.sessionId), env.CTR_CLIENT_IP)
  })

  await step('the type from the mounted --types module works from both', async () => {
    await host.do('create', { as: 'counter', typeid: 'Counter', args: [5] })
    assert.equal(await host.do('call', { handle: 'counter', method: 'increment' }), 6)
    await host.do('publish', { name: 'counter', handle: 'counter' })
    await other.do('lookup', { name: 'counter', as: 'counter' })
    assert.equal(await other.do('call', { handle: 'counter', method: 'increment', args: [10] }), 16)
  })

  await step('the example worker (same image, key from the same secret) runs in the other namespace', async () => {
    const r = await run('podman', ['run', '--rm', '--name', env.CTR_WORKER, '--network', `ns:/run/netns/${env.CTR_CLIENT_NS}`, ...READ_ONLY_ARGS,
      ...SECRET_ARGS, '-e', `MANAGERD_ADDRESS=${ADDRESS}`, '-e', 'WORKER_NAME=worker-1', '-e', 'WORKER_BEATS=3', '-e', 'WORKER_INTERVAL_MS=100',
      '--entrypoint', 'node', IMAGE, '/app/docker/worker.js'], { timeoutMs: 60_000 })
    writeFileSync(join(ARTIFACTS, 'worker.log'), r.stdout + r.stderr)
    assert.equal(r.code, 0, `the worker exits 0:\n${r.stdout}${r.stderr}`)
    for (const line of r.stdout.trim().split('\n')) say(`    worker: ${line}`)
    await host.do('lookup', { name: 'workers', as: 'workers' })
    const row = await host.do('call', { handle: 'workers', method: 'get', args: ['worker-1'] })
    assert.equal(row?.beats, 3, `the worker's row in the shared dict: ${JSON.stringify(row)}`)
  })

  await step('SIGTERM (podman stop): both clients get GOAWAY, the container drains and exits 0', async () => {
    const hostFrom = host.events.length
    const otherFrom = other.events.length
    const t = Date.now()
    // podman stop sends SIGTERM, then SIGKILL after 30 s: exit code 0 means it exited by itself.
    await sh('podman', ['stop', '-t', '30', NAME], { timeoutMs: 60_000 })
    measured.stopMs = Date.now() - t
    assert.equal(Number(await inspect('{{.State.ExitCode}}')), 0, 'exit code')
    for (const [agent, from] of [[host, hostFrom], [other, otherFrom]]) {
      const goaway = await agent.event('goaway', { from })
      assert.match(goaway.data.reason, /SIGTERM/)
    }
    // Reconnecting (the default): the close after the drain is a disconnect, not an error.
    assert.equal((await host.event('disconnect', { from: hostFrom })).data.code, 1001)
    // Reconnecting off: the manager closes, and a call fails cleanly.
    const closed = await other.event('close', { from: otherFrom })
    assert.equal(closed.data.code, 'MANAGERD_ERR_CONNECTION_LOST')
    const err = await other.fails('call', { handle: 'shared', method: 'get', args: ['from-host'] })
    assert.ok(CLEAN_FAILURES.has(err.code), `a call after the stop fails cleanly, not ${JSON.stringify(err)}`)
    const logs = await containerLogs()
    writeFileSync(join(ARTIFACTS, 'daemon.log'), logs)
    assert.match(logs, /"msg":"draining"/)
    assert.match(logs, /"msg":"stopped"/)
    assert.doesNotMatch(logs, /drain deadline passed/)
    say(`    stopped ${ms(measured.stopMs)} after SIGTERM`)
  })
}

async function finish() {
  await Promise.all(agents.map((a) => a.stop()))
  writeFileSync(join(ARTIFACTS, 'measurements.json'), JSON.stringify(measured, null, 2) + '\n')
  say(`measured: ${JSON.stringify(measured)}`)
}

function mb(bytes) {
  return `${(bytes / 1e6).toFixed(1)} MB`
}

main(scenario, finish)
