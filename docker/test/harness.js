'use strict'
// What the container and multi-host scenarios share: steps that log and fail loudly, bounded
// waits, commands run as child processes, agents (docker/test/agent.js) driven over JSON lines,
// and the daemon's pino log read back as records.
const assert = require('node:assert/strict')
const { execFile, spawn } = require('node:child_process')
const { readFileSync } = require('node:fs')
const { join } = require('node:path')

const AGENT = join(__dirname, 'agent.js')
/** Every wait is bounded; these bounds are generous on purpose (pass/fail is about behaviour). */
const DEFAULT_WAIT_MS = 30_000

const t0 = Date.now()
const stamp = () => `+${((Date.now() - t0) / 1000).toFixed(1)}s`.padStart(8)
const say = (msg) => console.log(`${stamp()}  ${msg}`)

let failed = false
/** Run a named step; the first failure stops the scenario with a non-zero exit. */
async function step(title, fn) {
  say(`▶ ${title}`)
  try {
    const value = await fn()
    say(`  ✓ ${title}`)
    return value
  } catch (err) {
    failed = true
    say(`  ✗ ${title}`)
    throw err
  }
}

/** Runs the scenario, then `finally` (stop agents...); exits 1 on any failure. */
async function main(scenario, finallyFn = async () => {}) {
  let code = 0
  try {
    await scenario()
  } catch (err) {
    code = 1
    console.error(`\nFAILED: ${err?.stack ?? err}`)
  }
  try {
    await finallyFn()
  } catch (err) {
    code = 1
    console.error(`cleanup failed: ${err?.stack ?? err}`)
  }
  if (failed) code = 1
  console.log(code === 0 ? '\nPASSED' : '\nFAILED')
  process.exit(code)
}

/** Run a command; resolve with {code, stdout, stderr} (never rejects on a non-zero exit). */
function run(cmd, args, { timeoutMs = 120_000, env } = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 64 << 20, ...(env ? { env: { ...process.env, ...env } } : {}) }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stderr}`))
      resolve({ code: err ? err.code : 0, stdout: String(stdout), stderr: String(stderr) })
    })
  })
}

/** Run a command that must succeed; its stdout. */
async function sh(cmd, args, opts) {
  const r = await run(cmd, args, opts)
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}\n${r.stderr}${r.stdout}`)
  return r.stdout.trim()
}

/** Poll `fn` until it returns a truthy value (returned) or the bound passes. A throw ends it. */
async function waitFor(what, fn, { timeoutMs = DEFAULT_WAIT_MS, intervalMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`gave up waiting ${timeoutMs} ms for ${what}`)
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

function withTimeout(promise, ms, what) {
  let timer
  return Promise.race([
    promise,
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer))
}

/** A client process (agent.js) started by `argv` (e.g. through `ip netns exec`). */
class Agent {
  #child
  #next = 1
  #pending = new Map()
  #waiters = []
  events = []
  exited

  constructor(label, argv, env = {}) {
    this.label = label
    this.#child = spawn(argv[0], argv.slice(1), { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
    let buf = ''
    this.#child.stdout.on('data', (chunk) => {
      buf += chunk
      let nl
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl)
        buf = buf.slice(nl + 1)
        if (line.trim() !== '') this.#onLine(line)
      }
    })
    this.#child.stderr.on('data', (chunk) => process.stderr.write(`[${label} stderr] ${chunk}`))
    this.exited = new Promise((resolve) => this.#child.on('exit', (code, signal) => resolve({ code, signal })))
    this.exited.then(({ code, signal }) => {
      for (const p of this.#pending.values()) p.reject(new Error(`agent ${label} exited (${code ?? signal})`))
      this.#pending.clear()
    })
  }

  #onLine(line) {
    let msg
    try {
      msg = JSON.parse(line)
    } catch {
      return say(`[${this.label}] ${line}`)
    }
    if (msg.event !== undefined) {
      say(`  [${this.label}] event ${msg.event}${msg.data?.message ? `: ${msg.data.message}` : msg.data?.reason ? `: ${msg.data.reason}` : ''}`)
      this.events.push(msg)
      for (const w of [...this.#waiters]) w()
      return
    }
    const p = this.#pending.get(msg.id)
    if (p === undefined) return
    this.#pending.delete(msg.id)
    p.resolve(msg)
  }

  /** Send a command; resolves with the raw reply ({ok, value} or {ok: false, error}). */
  send(op, params = {}, timeoutMs = DEFAULT_WAIT_MS) {
    const id = this.#next++
    const reply = new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject }))
    this.#child.stdin.write(JSON.stringify({ id, op, ...params }) + '\n')
    return withTimeout(reply, timeoutMs, `${this.label} ${op}`)
  }

  /** Send a command that must succeed; its value. */
  async do(op, params = {}, timeoutMs) {
    const reply = await this.send(op, params, timeoutMs)
    if (!reply.ok) throw new Error(`${this.label} ${op} ${JSON.stringify(params)} failed: ${JSON.stringify(reply.error)}`)
    return reply.value
  }

  /** Send a command that must fail; its error ({name, code, message}). */
  async fails(op, params = {}, timeoutMs) {
    const reply = await this.send(op, params, timeoutMs)
    if (reply.ok) throw new Error(`${this.label} ${op} ${JSON.stringify(params)} should have failed but returned ${JSON.stringify(reply.value)}`)
    return reply.error
  }

  /** The first event named `name` (after index `from`), waiting for it if need be. */
  event(name, { from = 0, timeoutMs = DEFAULT_WAIT_MS } = {}) {
    const find = () => this.events.slice(from).find((e) => e.event === name)
    const found = find()
    if (found) return Promise.resolve(found)
    return withTimeout(
      new Promise((resolve) => {
        const w = () => {
          const e = find()
          if (e) {
            this.#waiters.splice(this.#waiters.indexOf(w), 1)
            resolve(e)
          }
        }
        this.#waiters.push(w)
      }),
      timeoutMs,
      `${this.label} waiting for event ${name}`,
    )
  }

  /** Close stdin (the agent closes its manager and exits); kill it if it lingers. */
  async stop() {
    this.#child.stdin.end()
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5000)
    await this.exited
    clearTimeout(timer)
  }
}

/** An agent running on network namespace `ns` (or on this host when ns is null). */
function agentOn(label, ns, env = {}) {
  const argv = ns === null ? [process.execPath, AGENT] : ['ip', 'netns', 'exec', ns, process.execPath, AGENT]
  return new Agent(label, argv, env)
}

/** The daemon's pino JSON log, one record per line (other lines are skipped). */
function logRecords(path) {
  let text = ''
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return []
  }
  return parseLog(text)
}

function parseLog(text) {
  const records = []
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue
    try {
      records.push(JSON.parse(line))
    } catch {
      // a line being written
    }
  }
  return records
}

/** Milliseconds as text. */
const ms = (n) => `${Math.round(n)} ms`

module.exports = { assert, step, main, run, sh, waitFor, withTimeout, Agent, agentOn, logRecords, parseLog, say, ms }
