'use strict'
// A client a test drives step by step: one JSON command per line on stdin, one JSON reply per
// line on stdout, and unsolicited {event} lines for the manager's events. This is how the
// container and multi-host tests run clients inside network namespaces
// (`ip netns exec HOST node agent.js`) and still decide, from one script, what each does when.
//
// Commands: {id, op, ...params}. Replies: {id, ok: true, value} or {id, ok: false, error}.
// Objects are kept under handles the test names (`as`), and used by handle afterwards.
const os = require('node:os')
const readline = require('node:readline')
const { connect, isProxy } = require('managerd/client')

/** The events a Manager emits (disconnect, sessionLost and reconnect come from reconnecting). */
const MANAGER_EVENTS = ['goaway', 'close', 'disconnect', 'reconnect', 'sessionLost']
const MANAGER_METHODS = new Set(['numberOfObjects', 'debugInfo', 'listTypes', 'ping', 'unpublish'])

let manager
/** Which connection an event came from: 1, then 2 after connecting again... */
let generation = 0
const objects = new Map()

function out(message) {
  process.stdout.write(JSON.stringify(message, replacer) + '\n')
}

function replacer(_key, value) {
  if (value instanceof Map) return { $map: [...value] }
  if (value instanceof Set) return { $set: [...value] }
  if (typeof value === 'bigint') return { $bigint: String(value) }
  if (value === undefined) return null
  if (isProxy(value)) return { $proxy: value.$token.id, typeid: value.$typeid }
  if (value instanceof Error) return describeError(value)
  return value
}

function describeError(err) {
  return { name: err.name, code: err.code, remoteCode: err.remoteCode, remoteName: err.remoteName, message: err.message }
}

function handle(name) {
  const proxy = objects.get(name)
  if (proxy === undefined) throw new Error(`no object under handle ${JSON.stringify(name)}`)
  return proxy
}

function currentManager() {
  if (manager === undefined) throw new Error('not connected')
  return manager
}

const ops = {
  async connect({ address, name, options = {} }) {
    // Connecting again replaces the session: the old manager goes first, whatever its state.
    await manager?.close().catch(() => {})
    const m = await connect(address, { name, ...options })
    const g = ++generation
    for (const event of MANAGER_EVENTS) {
      m.on(event, (data) => out({ event, generation: g, sessionId: m.sessionId, data: data ?? null, at: Date.now() }))
    }
    manager = m
    objects.clear()
    return { sessionId: m.sessionId, hostname: os.hostname(), pid: process.pid }
  },
  async close() {
    await currentManager().close()
    return null
  },
  async manager({ method, args = [] }) {
    if (!MANAGER_METHODS.has(method)) throw new Error(`manager method ${method} is not allowed here`)
    return currentManager()[method](...args)
  },
  async create({ as, typeid, args = [] }) {
    const proxy = await currentManager().create(typeid, ...args)
    objects.set(as, proxy)
    return { id: proxy.$token.id }
  },
  async publish({ name, handle: h }) {
    await currentManager().publish(name, handle(h))
    return null
  },
  async lookup({ name, as }) {
    const proxy = await currentManager().lookup(name)
    objects.set(as, proxy)
    return { id: proxy.$token.id }
  },
  async call({ handle: h, method, args = [] }) {
    return handle(h).$call(method, ...args)
  },
  async release({ handle: h }) {
    await handle(h).$release()
    objects.delete(h)
    return null
  },
}

const rl = readline.createInterface({ input: process.stdin })
rl.on('line', (line) => {
  let msg
  try {
    msg = JSON.parse(line)
  } catch {
    return out({ event: 'bad-command', data: line })
  }
  const { id, op, ...params } = msg
  const fn = Object.hasOwn(ops, op) && typeof ops[op] === 'function' ? ops[op] : undefined
  if (fn === undefined) return out({ id, ok: false, error: { name: 'Error', message: `unknown op ${op}` } })
  // Commands run concurrently: a blocking call (a lock's acquire) must not hold up the next one.
  Promise.resolve()
    .then(() => fn(params))
    .then(
      (value) => out({ id, ok: true, value }),
      (err) => out({ id, ok: false, error: describeError(err) }),
    )
})
// stdin closed: the test is done with this client.
rl.on('close', () => {
  Promise.resolve(manager?.close()).finally(() => process.exit(0))
})
