// `npm run bench [-- --quick] [-- --profile] [-- --rows a,b,c,d,e,f,g] [-- --runs N --seconds S --warmup S]`: managerd side by side
// with the bare-socket floor, Redis + ioredis (when redis-server is installed) and Python's
// SyncManager, in one run, as medians with their spread and as ratios.

import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { connect } from '../client'
import type { BenchContext, Row } from './lib/context'
import { startDaemonHost, startFloor, startTcpFloor } from './lib/processes'
import { topFrames } from './lib/profile'
import { renderGoals, renderTable, writeResults, type Goal } from './lib/report'
import { ratio } from './lib/stats'
import { redisAvailable, startRedis } from './peers/redis'
import { rowA, rowB } from './rows/latency'
import { rowG } from './rows/memory'
import { rowD, rowE, rowF } from './rows/objects'
import { rowC } from './rows/scaling'

const RESULTS = join(__dirname, '../../bench/results')

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      rows: { type: 'string', default: 'a,b,c,d,e,f,g' },
      runs: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
    },
  })
  const quick = values.quick === true
  const wanted = new Set(values.rows!.split(','))
  const started = Date.now()
  const profileDir = values.profile === true ? join(RESULTS, 'profiles', String(started)) : undefined
  const notes: string[] = []

  const daemon = await startDaemonHost(profileDir)
  const floorNaive = await startFloor('naive')
  const floorCorked = await startFloor('corked')
  const floorTcp = await startTcpFloor()
  const redis = redisAvailable() ? await startRedis() : undefined
  if (redis === undefined) notes.push('Redis rows skipped: redis-server is not installed (apt-get install redis-server)')

  // The shared objects the load workers look up by name.
  const setup = await connect(daemon.address, { authkey: 'bench', name: 'bench-setup' })
  const types = new Set((await setup.listTypes()).map((t) => t.typeid))
  await setup.publish('bench', await setup.dict())
  if (types.has('Queue')) {
    await setup.publish('ping', await setup.create('Queue'))
    await setup.publish('pong', await setup.create('Queue'))
  }
  if (types.has('Lock')) await setup.publish('lock', await setup.create('Lock'))

  const ctx: BenchContext = {
    quick,
    runs: Number(values.runs ?? (quick ? 3 : 5)),
    seconds: Number(values.seconds ?? (quick ? 0.4 : 2)),
    // A cold client or daemon needs ~1 s (a few thousand calls) to reach its JIT-compiled speed.
    warmupMs: Number(values.warmup ?? (quick ? 0.75 : 2)) * 1000,
    daemon,
    floorNaive,
    floorCorked,
    floorTcp,
    redisUrl: redis?.url,
    redisPid: redis?.pid,
    notes,
    types,
  }
  const rows: Row[] = []
  const step = async (id: string, fn: () => Promise<Row | Row[] | undefined>): Promise<void> => {
    if (!wanted.has(id)) return
    const t = Date.now()
    const r = await fn()
    if (r !== undefined) rows.push(...(Array.isArray(r) ? r : [r]))
    process.stderr.write(`row ${id} done in ${((Date.now() - t) / 1000).toFixed(1)} s\n`)
  }
  try {
    await step('a', () => rowA(ctx))
    await step('b', async () => [await rowB(ctx, 64), await rowB(ctx, 1024)])
    await step('c', async () => [await rowC(ctx, 1), await rowC(ctx, 4), await rowC(ctx, 16)])
    await step('d', () => rowD(ctx))
    await step('e', () => rowE(ctx))
    await step('f', () => rowF(ctx))
    await step('g', () => rowG(ctx))
  } finally {
    await setup.close()
    await daemon.stop()
    await floorNaive.stop()
    await floorCorked.stop()
    await floorTcp.stop()
    await redis?.stop()
  }

  const get = (id: string): Row | undefined => rows.find((r) => r.id === id)
  const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined)
  const goal = (name: string, value: number | undefined, target: number, atMost = false): Goal => ({
    goal: name,
    value,
    target,
    met: value === undefined ? undefined : atMost ? value <= target : value >= target,
  })
  const goals: Goal[] = [
    goal('a: sequential ÷ floor (naive)', ratio(get('a')?.values.managerd, get('a')?.values.floorNaive), 0.9),
    goal('a: sequential ÷ Redis', ratio(get('a')?.values.managerd, get('a')?.values.redis), 1.0),
    goal('b: 1024 in flight ÷ Redis autopipelining', ratio(get('b1024')?.values.managerd, get('b1024')?.values.redis), 1.0),
    goal('b: 1024 in flight ÷ corked floor', ratio(get('b1024')?.values.managerd, get('b1024')?.values.floorCorked), 0.9),
    goal('b: 1024 in flight ÷ Python (one call in flight)', ratio(get('b1024')?.values.managerd, get('a')?.values.python), 20),
    goal('c: 4 processes ÷ Redis', ratio(get('c4')?.values.managerd, get('c4')?.values.redis), 1.0),
    goal('c: 4 processes ÷ Python', ratio(get('c4')?.values.managerd, get('c4')?.values.python), 1.5),
    goal('d: create+release objects/s', get('d')?.values.managerd?.median, 50_000),
    goal('g: daemon overhead bytes per live object', num(rows.find((r) => r.id === 'g2')?.detail?.['daemon overhead bytes/object']), 300, true),
    goal('g: heap bytes per small dict entry', num(rows.find((r) => r.id === 'g1')?.detail?.['heap bytes/entry']), 145, true),
    goal('g: heap bytes per idle session', num(rows.find((r) => r.id.startsWith('g3'))?.detail?.['heap bytes/session']), 30_000, true),
  ]

  const profiles =
    profileDir === undefined
      ? undefined
      : readdirSync(profileDir)
          .filter((f) => f.endsWith('.cpuprofile'))
          .map((f) => ({ file: join(profileDir, f), top: topFrames(join(profileDir, f)) }))

  const table = renderTable(rows)
  process.stdout.write(`\n${table}\n\ngoals (issue 7):\n${renderGoals(goals)}\n`)
  if (notes.length > 0) process.stdout.write(`\nnotes:\n${notes.map((n) => `  ${n}`).join('\n')}\n`)
  if (profiles !== undefined) {
    for (const p of profiles) process.stdout.write(`\ndaemon CPU profile ${p.file}:\n${p.top.map((t) => `  ${t.selfPct}%  ${t.frame}`).join('\n')}\n`)
  }
  const file = writeResults(RESULTS, { date: new Date().toISOString(), quick, runs: ctx.runs, seconds: ctx.seconds, rows, goals, notes, profiles })
  process.stdout.write(`\nresults: ${file} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
