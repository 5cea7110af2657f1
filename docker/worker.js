'use strict'
// Example worker for docker/compose.yaml: connects to the daemon in another container with the
// key from the same secret (MANAGERD_AUTHKEY_FILE), keeps its row in the shared dict `workers`
// fresh and, when the daemon loaded the example types module, bumps the shared Counter `beats`.
// The client reconnects by itself (resuming its session after a network blip); when the session
// is lost — a restarted daemon — the worker sets itself up again. It exits 0 on SIGTERM.
//
// env: MANAGERD_ADDRESS (ws://managerd:7400), WORKER_NAME (worker-HOSTNAME),
//      WORKER_INTERVAL_MS (2000), WORKER_BEATS (0 = run until stopped)
const os = require('node:os')
const { connect } = require('managerd/client')

const address = process.env.MANAGERD_ADDRESS || 'ws://managerd:7400'
const name = process.env.WORKER_NAME || `worker-${os.hostname()}`
const intervalMs = Number(process.env.WORKER_INTERVAL_MS || 2000)
const maxBeats = Number(process.env.WORKER_BEATS || 0)

let stopping = false
let current // the manager in use: closed on SIGTERM, so no call waits for a reconnect
let wake = () => {}
const sleep = (ms) => new Promise((resolve) => setTimeout((wake = resolve), ms))
const log = (msg) => console.log(`${new Date().toISOString()} ${name}: ${msg}`)

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    log(`${signal}: closing`)
    stopping = true
    wake()
    current?.close()
  })
}

/** The object published as `key`, made and published by whoever comes first. */
async function shared(manager, key, make) {
  try {
    return await manager.lookup(key)
  } catch (err) {
    if (err.code !== 'MANAGERD_ERR_UNKNOWN_NAME' && err.remoteCode !== 'MANAGERD_ERR_UNKNOWN_NAME') throw err
  }
  const mine = await make()
  await manager.publish(key, mine)
  await mine.$release()
  // Another worker may have published at the same moment: use whatever the name holds now.
  return manager.lookup(key)
}

let beats = 0

async function session() {
  const manager = (current = await connect(address, { name }))
  let gone = false
  manager.on('goaway', (info) => log(`the daemon is going away (${info.reason}); the client reconnects after it closed`))
  manager.on('disconnect', ({ code }) => log(`link lost (${code}); reconnecting`))
  manager.on('reconnect', ({ resumed }) => log(resumed ? 'session resumed' : 'reconnected with a new session'))
  manager.once('sessionLost', ({ reason }) => {
    log(`session lost (${reason}): setting up again`)
    gone = true // the shared proxies of the old session are stale
    wake()
  })
  manager.once('close', (err) => {
    if (!stopping) log(`connection closed: ${err.message}`)
    gone = true
    wake()
  })
  log(`connected to ${address} (session ${manager.sessionId})`)
  try {
    const workers = await shared(manager, 'workers', () => manager.dict())
    const hasCounter = (await manager.listTypes()).some((t) => t.typeid === 'Counter')
    const total = hasCounter ? await shared(manager, 'beats', () => manager.create('Counter', 0)) : undefined
    while (!stopping && !gone) {
      beats++
      await workers.set(name, { pid: process.pid, beats, at: new Date() })
      const sum = total !== undefined ? `, ${await total.increment()} beats in all` : ''
      log(`beat ${beats}: ${await workers.size()} workers known${sum}`)
      if (maxBeats > 0 && beats >= maxBeats) stopping = true
      else await sleep(intervalMs)
    }
  } finally {
    await manager.close()
  }
}

async function main() {
  let backoffMs = 500
  while (!stopping) {
    try {
      await session()
      backoffMs = 500
    } catch (err) {
      log(`${err.code ?? err.name}: ${err.message}`)
    }
    if (!stopping) {
      await sleep(backoffMs)
      backoffMs = Math.min(backoffMs * 2, 10_000)
    }
  }
  log(`stopped after ${beats} beats`)
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err)
    process.exit(1)
  },
)
