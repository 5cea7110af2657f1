// `npm run bench:instructions [-- --calls N --warmup W --repeats R --only managerd|floor]`: instructions the daemon executes per
// sequential dict call, counted by valgrind's callgrind, beside the ws + msgpackr floor's.
// Wall-clock A/B tests of the per-call path vary ±10–20% from run to run on these machines; an
// instruction count does not depend on what else the machine is doing, so a change of a few
// percent in the daemon's own work shows. It counts user space only: the kernel's share of a
// call (the socket read, write and wake-up, most of a sequential call's cost) is not in it.
//
// Each server runs under callgrind (node --single-threaded, so compiler and GC threads do not
// interleave their work); this process drives it with W warm-up calls, zeroes the counters
// (callgrind_control -z), makes N timed calls, and dumps them (-d). A major GC landing inside the
// window adds a few thousand instructions per call, so each server is measured R times, fresh,
// and the least count is reported (the noise only ever adds).

import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { connect } from '../client'
import { waitForReady } from './lib/processes'
import { floorSeqClient, managerdSeqClient, type SeqClient } from './lib/seq-clients'

interface Server {
  name: string
  script: string
  args: string[]
  client(address: string): Promise<SeqClient>
}

const SERVERS: Server[] = [
  { name: 'managerd', script: 'peers/daemon-host.js', args: [], client: (address) => managerdSeqClient(address, connect) },
  { name: 'floor (ws + msgpackr)', script: 'peers/floor-server.js', args: ['naive'], client: floorSeqClient },
]

function startUnderCallgrind(server: Server, outDir: string): Promise<{ child: ChildProcess; address: string; pid: number }> {
  const out = join(outDir, 'callgrind.%p.out')
  const child = spawn(
    'valgrind',
    ['--tool=callgrind', '--smc-check=all-non-file', `--callgrind-out-file=${out}`, process.execPath, '--single-threaded', join(__dirname, server.script), ...server.args],
    { stdio: ['ignore', 'ignore', 'ignore', 'ipc'], env: { ...process.env, MANAGERD_AUTHKEY: 'bench' } },
  )
  return waitForReady(child, `${server.name} under valgrind`, 300_000).then(({ address, pid }) => ({ child, address, pid }))
}

/** Instructions per call of one fresh server: warm up, zero, `calls` calls, dump. */
async function countOnce(server: Server, warmup: number, calls: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'managerd-callgrind-'))
  const { child, address, pid } = await startUnderCallgrind(server, dir)
  try {
    const client = await server.client(address)
    for (let i = 0; i < warmup; i++) await client.call(i)
    execFileSync('callgrind_control', ['-z', String(pid)], { stdio: 'ignore' })
    for (let i = warmup; i < warmup + calls; i++) await client.call(i)
    execFileSync('callgrind_control', ['-d', String(pid)], { stdio: 'ignore' })
    await client.close()
    // The dump made after zeroing holds only the timed calls (the first file is the zeroed part).
    const dumps = readdirSync(dir).filter((f) => /\.out\.\d+$/.test(f)).sort()
    const last = dumps[dumps.length - 1]
    if (last === undefined) throw new Error('callgrind wrote no dump')
    const summary = /^summary: (\d+)/m.exec(readFileSync(join(dir, last), 'utf8'))
    if (summary === null) throw new Error(`no summary line in ${last}`)
    return Number(summary[1]) / calls
  } finally {
    child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string', default: '10000' },
      warmup: { type: 'string', default: '30000' },
      repeats: { type: 'string', default: '3' },
      /** Count one server only ('managerd' or 'floor'), for an A/B of a change to the daemon. */
      only: { type: 'string' },
    },
  })
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' })
  } catch {
    throw new Error('valgrind is not installed (apt-get install valgrind)')
  }
  const calls = Number(values.calls)
  const warmup = Number(values.warmup)
  const repeats = Number(values.repeats)
  const least = new Map<string, number>()
  const servers = values.only === undefined ? SERVERS : SERVERS.filter((s) => s.name.startsWith(values.only!))
  if (servers.length === 0) throw new Error(`--only: no server named ${values.only}`)
  for (const server of servers) {
    const counts: number[] = []
    for (let r = 0; r < repeats; r++) counts.push(await countOnce(server, warmup, calls))
    least.set(server.name, Math.min(...counts))
    process.stdout.write(`${server.name}: ${counts.map((c) => Math.round(c)).join(', ')} instructions per call (least ${Math.round(Math.min(...counts))})\n`)
  }
  if (servers.length < SERVERS.length) return
  const [ours, floor] = SERVERS.map((s) => least.get(s.name)!)
  process.stdout.write(`managerd ÷ floor: ${(ours! / floor!).toFixed(2)}× the instructions per sequential call (user space, ${calls} calls after ${warmup} warm-up)\n`)
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`)
  process.exit(1)
})
