// `npm run bench:ab -- --against DIR [--rounds R] [--calls N] [--warmup W]`: this checkout's daemon
// and client against another checkout's (another commit, set up there with `npm ci && npm run build:bench`),
// on sequential dict calls, with the ws + msgpackr floor beside them.
// The full bench measures each system in one block of runs, and on these machines the load drifts
// between blocks: a ±10% change to the per-call path drowns. Here the three take turns round by
// round, in a rotating order, so drift falls on all of them alike; each round is a fresh server
// warmed up first. Reported: medians of calls/s, and the daemon's and the client's CPU per call
// (the daemon's from /proc, the client's from process.cpuUsage: the clients run in this process,
// each checkout's with its own modules).

import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { connect as Connect } from '../client'
import { cpuMicros } from './lib/cpu'
import { connectFloor } from './lib/floor-client'
import { figure, formatFigure, formatNumber, type Figure } from './lib/stats'

interface Client {
  call(i: number): Promise<unknown>
  close(): Promise<void>
}

interface Contender {
  name: string
  /** The server script and its arguments. */
  server: [string, ...string[]]
  client(address: string): Promise<Client>
}

interface Round {
  perSecond: number
  daemonUs: number
  clientUs: number
}

const key = (i: number): string => `k${i % 1000}`

/** A managerd checkout: its daemon host and its own client code. */
function checkout(name: string, dir: string): Contender {
  const host = join(dir, 'dist/bench/peers/daemon-host.js')
  const clientIndex = join(dir, 'dist/client/index.js')
  if (!existsSync(host) || !existsSync(clientIndex)) throw new Error(`${dir} is not built: run \`npm ci && npm run build:bench\` there`)
  return {
    name,
    server: [host],
    async client(address) {
      const { connect } = require(clientIndex) as { connect: typeof Connect }
      const manager = await connect(address, { authkey: 'bench' })
      const dict = await manager.dict<string, number>()
      return { call: (i) => (i % 2 === 0 ? dict.set(key(i), i) : dict.get(key(i))), close: () => manager.close() }
    },
  }
}

const FLOOR: Contender = {
  name: 'floor (ws + msgpackr)',
  server: [join(__dirname, 'peers/floor-server.js'), 'naive'],
  async client(address) {
    const floor = await connectFloor(address)
    return { call: (i) => (i % 2 === 0 ? floor.call('set', key(i), i) : floor.call('get', key(i))), close: () => floor.close() }
  },
}

function startServer([script, ...args]: Contender['server']): Promise<{ child: ChildProcess; address: string; pid: number }> {
  const child = spawn(process.execPath, ['--expose-gc', script, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, MANAGERD_AUTHKEY: 'bench' } })
  return new Promise((resolvePromise, reject) => {
    child.on('message', (m: { ready?: boolean; address?: string; pid?: number }) => {
      if (m.ready === true) resolvePromise({ child, address: m.address!, pid: m.pid! })
    })
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)))
  })
}

async function round(who: Contender, warmup: number, calls: number): Promise<Round> {
  const { child, address, pid } = await startServer(who.server)
  try {
    const client = await who.client(address)
    for (let i = 0; i < warmup; i++) await client.call(i)
    const daemonBefore = cpuMicros(pid) ?? NaN
    const clientBefore = process.cpuUsage()
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < calls; i++) await client.call(i)
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9
    const clientCpu = process.cpuUsage(clientBefore)
    const daemonUs = ((cpuMicros(pid) ?? NaN) - daemonBefore) / calls
    await client.close()
    return { perSecond: calls / seconds, daemonUs, clientUs: (clientCpu.user + clientCpu.system) / calls }
  } finally {
    child.kill()
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      against: { type: 'string' },
      rounds: { type: 'string', default: '8' },
      calls: { type: 'string', default: '40000' },
      warmup: { type: 'string', default: '20000' },
    },
  })
  if (values.against === undefined) throw new Error('usage: npm run bench:ab -- --against DIR (another checkout, set up there with npm ci && npm run build:bench)')
  const rounds = Number(values.rounds)
  const calls = Number(values.calls)
  const warmup = Number(values.warmup)
  const contenders = [FLOOR, checkout('this checkout', resolve(__dirname, '../..')), checkout(`against ${values.against}`, resolve(values.against))]
  const results = new Map<Contender, Round[]>(contenders.map((c) => [c, []]))
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const who = contenders[(r + k) % contenders.length]!
      results.get(who)!.push(await round(who, warmup, calls))
    }
    process.stderr.write(`round ${r + 1}/${rounds} done\n`)
  }
  const med = (who: Contender, pick: (x: Round) => number): Figure => figure(results.get(who)!.map(pick))
  process.stdout.write(`sequential dict set/get: ${rounds} rounds of ${calls} calls after ${warmup} warm-up, taking turns\n`)
  for (const who of contenders) {
    const rate = formatFigure(med(who, (x) => x.perSecond))
    const daemon = formatNumber(med(who, (x) => x.daemonUs).median)
    const client = formatNumber(med(who, (x) => x.clientUs).median)
    process.stdout.write(`  ${who.name.padEnd(40)} ${rate.padStart(12)} calls/s   daemon ${daemon} µs/call   client ${client} µs/call\n`)
  }
  const [floor, ours, theirs] = contenders.map((c) => med(c, (x) => x.perSecond).median)
  process.stdout.write(`  this ÷ against: ${(ours! / theirs!).toFixed(3)}×   this ÷ floor: ${(ours! / floor!).toFixed(3)}×   against ÷ floor: ${(theirs! / floor!).toFixed(3)}×\n`)
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`)
  process.exit(1)
})
