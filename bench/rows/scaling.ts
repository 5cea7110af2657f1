// Row c: aggregate calls/s from 1, 4 and 16 client processes doing sequential set/get.

import { availableParallelism } from 'node:os'
import type { BenchContext, Row } from '../lib/context'
import { runPython } from '../lib/processes'
import { figure } from '../lib/stats'
import { cpuDetail, measure } from './latency'

export async function rowC(ctx: BenchContext, procs: number): Promise<Row> {
  const row: Row = { id: `c${procs}`, measure: `${procs} client process${procs > 1 ? 'es' : ''}, sequential`, unit: 'calls/s', values: {} }
  // N processes warming up at once share the cores: each reaches its JIT speed N/cores times later
  // (capped in a --quick run, which must stay under two minutes).
  const warmupMs = ctx.warmupMs * Math.min(Math.max(1, procs / availableParallelism()), ctx.quick ? 2 : Infinity)
  const base = { op: 'seq' as const, inflight: 1, durationMs: ctx.seconds * 1000, histogram: false, warmupMs }
  const ours = await measure({ ...base, system: 'managerd', address: ctx.daemon.address }, procs, ctx.runs, ctx.daemon.pid)
  row.values.managerd = ours.fig
  row.detail = {
    'managerd server CPU µs/call': cpuDetail(ours.serverCpuUsPerOp),
    'managerd client CPU µs/call': cpuDetail(ours.clientCpuUsPerOp),
  }
  // Node's TCP echo only in a full run: --quick must stay under two minutes (row a has it anyway).
  if (!ctx.quick) {
    const tcp = await measure({ ...base, system: 'tcp', address: ctx.floorTcp.address }, procs, ctx.runs, ctx.floorTcp.pid)
    row.values.floorTcp = tcp.fig
    row.detail['node tcp echo server CPU µs/call'] = cpuDetail(tcp.serverCpuUsPerOp)
    row.detail['node tcp echo client CPU µs/call'] = cpuDetail(tcp.clientCpuUsPerOp)
  }
  if (ctx.redisUrl !== undefined) {
    const redis = await measure({ ...base, system: 'redis', address: ctx.redisUrl }, procs, ctx.runs, ctx.redisPid)
    row.values.redis = redis.fig
    row.detail['redis server CPU µs/call'] = cpuDetail(redis.serverCpuUsPerOp)
    row.detail['redis client CPU µs/call'] = cpuDetail(redis.clientCpuUsPerOp)
  }
  const py: number[] = []
  for (let i = 0; i < ctx.runs; i++) py.push((await runPython('seq', procs, ctx.seconds)).per_second)
  row.values.python = figure(py)
  return row
}
