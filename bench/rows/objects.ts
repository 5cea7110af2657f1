// Rows d, e, f: object churn (create then release), queue ping-pong between two clients, and
// lock acquire/release round trips.

import type { BenchContext, Row } from '../lib/context'
import { WorkerPool, runPython } from '../lib/processes'
import { figure } from '../lib/stats'
import { measure } from './latency'

async function python(ctx: BenchContext, op: 'churn' | 'pingpong' | 'lock'): Promise<ReturnType<typeof figure>> {
  const runs: number[] = []
  for (let i = 0; i < ctx.runs; i++) runs.push((await runPython(op, 1, ctx.seconds)).per_second)
  return figure(runs)
}

export async function rowD(ctx: BenchContext): Promise<Row> {
  const row: Row = { id: 'd', measure: 'create then release objects', unit: 'objects/s', values: {} }
  const job = { system: 'managerd' as const, address: ctx.daemon.address, op: 'churn' as const, inflight: 256, durationMs: ctx.seconds * 1000, histogram: false, warmupMs: ctx.warmupMs }
  row.values.managerd = (await measure(job, 1, ctx.runs)).fig
  row.values.python = await python(ctx, 'churn')
  return row
}

export async function rowE(ctx: BenchContext): Promise<Row | undefined> {
  if (!ctx.types.has('Queue')) {
    ctx.notes.push('row e skipped: this daemon has no Queue type')
    return undefined
  }
  const row: Row = { id: 'e', measure: 'queue put/get ping-pong between two clients', unit: 'round trips/s', values: {} }
  const base = { system: 'managerd' as const, address: ctx.daemon.address, inflight: 1, durationMs: ctx.seconds * 1000, histogram: false, warmupMs: ctx.warmupMs }
  // Both ends start (and warm up, ending with the ping side's null) at once, then stay for every run.
  const [ping, pong] = await Promise.all([WorkerPool.start({ ...base, op: 'ping' }, 1), WorkerPool.start({ ...base, op: 'pong' }, 1)])
  const runs: number[] = []
  try {
    for (let i = 0; i < ctx.runs; i++) {
      // The ping side's count is the number of round trips.
      const [pinged] = await Promise.all([ping.run(), pong.run()])
      runs.push(pinged.perSecond)
    }
  } finally {
    await Promise.all([ping.stop(), pong.stop()])
  }
  row.values.managerd = figure(runs)
  row.values.python = await python(ctx, 'pingpong')
  return row
}

export async function rowF(ctx: BenchContext): Promise<Row | undefined> {
  if (!ctx.types.has('Lock')) {
    ctx.notes.push('row f skipped: this daemon has no Lock type')
    return undefined
  }
  const row: Row = { id: 'f', measure: 'lock acquire/release', unit: 'round trips/s', values: {} }
  const job = { system: 'managerd' as const, address: ctx.daemon.address, op: 'lock' as const, inflight: 1, durationMs: ctx.seconds * 1000, histogram: false, warmupMs: ctx.warmupMs }
  row.values.managerd = (await measure(job, 1, ctx.runs)).fig
  row.values.python = await python(ctx, 'lock')
  return row
}
