'use strict'
// The compose scenario, run by container.sh after the container one: docker/compose.yaml, as
// written, driven by a Docker client (docker-compose) through podman's Docker-compatible API, on
// the image the test just built. The daemon turns healthy, the worker (another container, same
// image, same secret) finds it by its service name and beats, a client on this machine sees the
// beats through the published port, and `stop` ends both containers with exit code 0.
const { writeFileSync } = require('node:fs')
const { join } = require('node:path')
const { assert, step, main, run, sh, waitFor, withTimeout, agentOn, say, ms } = require('./harness')

const env = process.env
const ARTIFACTS = env.CTR_ARTIFACTS
const FILE = env.COMPOSE_FILE_COPY
const PROJECT = env.COMPOSE_PROJECT
const DC_ENV = { DOCKER_HOST: env.COMPOSE_DOCKER_HOST, MANAGERD_IMAGE: env.CTR_IMAGE, MANAGERD_HOST_PORT: env.COMPOSE_HOST_PORT }
const ADDRESS = `ws://127.0.0.1:${env.COMPOSE_HOST_PORT}`

const agents = []
const measured = {}
const dc = (args, opts = {}) => run('docker-compose', ['-f', FILE, '-p', PROJECT, ...args], { env: DC_ENV, ...opts })
async function dcOk(args, opts) {
  const r = await dc(args, opts)
  if (r.code !== 0) throw new Error(`docker-compose ${args.join(' ')} exited ${r.code}\n${r.stderr}${r.stdout}`)
  return r.stdout.trim()
}
const containerOf = async (service) => dcOk(['ps', '-q', service])

async function scenario() {
  await step('docker-compose accepts the file', () => dcOk(['config', '-q']))

  await step('up: the daemon turns healthy, then the worker starts (depends_on: service_healthy)', async () => {
    const t = Date.now()
    const up = dc(['up', '-d', '--no-build'], { timeoutMs: 180_000 })
    // No systemd here to run the image's HEALTHCHECK on a timer, as a Docker engine would:
    // run it every second ourselves while compose waits for "healthy".
    let done = false
    up.finally(() => (done = true))
    const ticker = (async () => {
      while (!done) {
        const id = (await dc(['ps', '-q', 'managerd'])).stdout.trim()
        if (id !== '') await run('podman', ['healthcheck', 'run', id])
        await new Promise((r) => setTimeout(r, 1000))
      }
    })()
    const r = await withTimeout(up, 200_000, 'docker-compose up')
    await ticker
    writeFileSync(join(ARTIFACTS, 'compose-up.log'), r.stdout + r.stderr)
    assert.equal(r.code, 0, `docker-compose up:\n${r.stderr}${r.stdout}`)
    measured.composeUpMs = Date.now() - t
    assert.equal(await sh('podman', ['inspect', '--format', '{{.State.Healthcheck.Status}}', await containerOf('managerd')]), 'healthy')
    assert.equal(await sh('podman', ['inspect', '--format', '{{.State.Status}}', await containerOf('worker')]), 'running')
  })

  const host = agentOn('host', null, { MANAGERD_AUTHKEY_FILE: env.COMPOSE_AUTHKEY })
  agents.push(host)

  await step(`the worker beats into the shared dict; a client on this machine sees it (${ADDRESS})`, async () => {
    await host.do('connect', { address: ADDRESS, name: 'compose-probe' })
    await waitFor('the worker to publish `workers`', async () => (await host.send('lookup', { name: 'workers', as: 'workers' })).ok)
    const rows = await waitFor('two beats from the worker', async () => {
      const value = await host.do('call', { handle: 'workers', method: 'copy' })
      const entries = value?.$map ?? []
      return entries.length === 1 && entries[0][1].beats >= 2 ? entries : undefined
    })
    say(`    workers: ${JSON.stringify(rows)}`)
    const types = await host.do('manager', { method: 'listTypes' })
    assert.ok(types.some((t) => t.typeid === 'Counter'), 'the --types volume was loaded')
    await host.do('close')
  })

  await step('stop: both containers exit 0 (SIGTERM: the daemon drains, the worker closes)', async () => {
    const daemonId = await containerOf('managerd')
    const workerId = await containerOf('worker')
    const t = Date.now()
    await dcOk(['stop'], { timeoutMs: 60_000 })
    measured.composeStopMs = Date.now() - t
    for (const [service, id] of [['managerd', daemonId], ['worker', workerId]]) {
      const code = Number(await sh('podman', ['inspect', '--format', '{{.State.ExitCode}}', id]))
      const logs = await run('podman', ['logs', id])
      writeFileSync(join(ARTIFACTS, `compose-${service}.log`), logs.stdout + logs.stderr)
      assert.equal(code, 0, `${service} exit code`)
    }
    const daemonLog = (await run('podman', ['logs', daemonId])).stdout
    assert.match(daemonLog, /"msg":"stopped"/)
    assert.match((await run('podman', ['logs', workerId])).stdout, /SIGTERM: closing/)
    say(`    compose stop took ${ms(measured.composeStopMs)}`)
  })
}

async function finish() {
  await Promise.all(agents.map((a) => a.stop()))
  await dc(['down', '-t', '0'], { timeoutMs: 60_000 })
  writeFileSync(join(ARTIFACTS, 'compose-measurements.json'), JSON.stringify(measured, null, 2) + '\n')
}

main(scenario, finish)
