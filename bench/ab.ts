// `npm run bench:ab -- --against DIR [--rounds R] [--calls N] [--warmup W]`: this checkout's daemon
// and client against another checkout's (another commit, set up there with `npm ci && npm run build:bench`),
// on sequential dict calls, with the ws + msgpackr floor beside them.
// The full bench measures each system in one block of runs, and on these machines the load drifts
// between blocks: a ±10% change to the per-call path drowns. Here the three take turns round by
// round, in a rotating order, so drift falls on all of them alike; each round is a fresh server
// warmed up first. Reported: medians of calls/s, and the daemon's and the client's CPU per call
// (the daemon's from /proc, the client's from process.cpuUsage: the clients run in this process,
// each checkout's with its own modules).

import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { connect as Connect } from '../client'
import { cpuMicros } from './lib/cpu'
import { startDaemonHostIn, startFloor, type Peer } from './lib/processes'
import { floorSeqClient, managerdSeqClient, type SeqClient } from './lib/seq-clients'
import { figure, formatFigure, formatNumber, type Figure } from './lib/stats'

interface Contender {
  name: string
  server(): Promise<Peer>
  client(address: string): Promise<SeqClient>
}

interface Round {
  perSecond: number
  daemonUs: number
  clientUs: number
}

/** A managerd checkout: its daemon host and its own client code. */
function checkout(name: string, dir: string): Contender {
  const distBench = join(dir, 'dist/bench')
  const clientIndex = join(dir, 'dist/client/index.js')
  if (!existsSync(join(distBench, 'peers/daemon-host.js')) || !existsSync(clientIndex)) {
    throw new Error(`${dir} is not built: run \`npm ci && npm run build:bench\` there`)
  }
  const { connect } = require(clientIndex) as { connect: typeof Connect }
  return { name, server: () => startDaemonHostIn(distBench), client: (address) => managerdSeqClient(address, connect) }
}

const FLOOR: Contender = { name: 'floor (ws + msgpackr)', server: () => startFloor('naive'), client: floorSeqClient }

async function round(who: Contender, warmup: number, calls: number): Promise<Round> {
  const { address, pid, stop } = await who.server()
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
    await stop()
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
