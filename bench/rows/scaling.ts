// Row c: aggregate calls/s from 1, 4 and 16 client processes doing sequential set/get.

import type { BenchContext, Row } from '../lib/context'
import { runPython } from '../lib/processes'
import { figure } from '../lib/stats'
import { measure } from './latency'

export async function rowC(ctx: BenchContext, procs: number): Promise<Row> {
  const row: Row = { id: `c${procs}`, measure: `${procs} client process${procs > 1 ? 'es' : ''}, sequential`, unit: 'calls/s', values: {} }
  const base = { op: 'seq' as const, inflight: 1, durationMs: ctx.seconds * 1000, histogram: false }
  row.values.managerd = (await measure({ ...base, system: 'managerd', address: ctx.daemon.address }, procs, ctx.runs)).fig
  if (ctx.redisUrl !== undefined) row.values.redis = (await measure({ ...base, system: 'redis', address: ctx.redisUrl }, procs, ctx.runs)).fig
  const py: number[] = []
  for (let i = 0; i < ctx.runs; i++) py.push((await runPython('seq', procs, ctx.seconds)).per_second)
  row.values.python = figure(py)
  return row
}
