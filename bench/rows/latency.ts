// Rows a and b: sequential set/get (latency parity) and pipelined calls on one connection.

import type { LoadJob } from '../workers/load-worker'
import type { BenchContext, Row, System } from '../lib/context'
import { WorkerPool, runPython } from '../lib/processes'
import { figure, type Figure } from '../lib/stats'

function targets(ctx: BenchContext): Array<[System, LoadJob['system'], string]> {
  const list: Array<[System, LoadJob['system'], string]> = [
    ['managerd', 'managerd', ctx.daemon.address],
    ['floorNaive', 'floor', ctx.floorNaive.address],
    ['floorCorked', 'floor', ctx.floorCorked.address],
  ]
  if (ctx.redisUrl !== undefined) list.push(['redis', 'redis', ctx.redisUrl])
  return list
}

/** `runs` timed runs of one job on `procs` workers; the figure of ops/s, and the raw results. */
export async function measure(job: LoadJob, procs: number, runs: number): Promise<{ fig: Figure; p50: number[]; p99: number[] }> {
  const pool = await WorkerPool.start(job, procs)
  const perRun: number[] = []
  const p50: number[] = []
  const p99: number[] = []
  try {
    for (let i = 0; i < runs; i++) {
      const { perSecond, results } = await pool.run()
      perRun.push(perSecond)
      if (results[0]?.p50us !== undefined) p50.push(results[0].p50us)
      if (results[0]?.p99us !== undefined) p99.push(results[0].p99us)
    }
  } finally {
    await pool.stop()
  }
  return { fig: figure(perRun), p50, p99 }
}

export async function rowA(ctx: BenchContext): Promise<Row> {
  const row: Row = { id: 'a', measure: 'sequential dict set then get', unit: 'calls/s', values: {}, detail: {} }
  for (const [system, kind, address] of targets(ctx)) {
    const job: LoadJob = { system: kind, address, op: 'seq', inflight: 1, durationMs: ctx.seconds * 1000, histogram: true }
    const { fig, p50, p99 } = await measure(job, 1, ctx.runs)
    row.values[system] = fig
    row.detail![`${system} p50 µs`] = Math.round(figure(p50).median)
    row.detail![`${system} p99 µs`] = Math.round(figure(p99).median)
  }
  const py: number[] = []
  const pyP50: number[] = []
  const pyP99: number[] = []
  for (let i = 0; i < ctx.runs; i++) {
    const r = await runPython('seq', 1, ctx.seconds)
    py.push(r.per_second)
    pyP50.push(r.p50us ?? NaN)
    pyP99.push(r.p99us ?? NaN)
  }
  row.values.python = figure(py)
  row.detail!['python p50 µs'] = Math.round(figure(pyP50).median)
  row.detail!['python p99 µs'] = Math.round(figure(pyP99).median)
  return row
}

export async function rowB(ctx: BenchContext, inflight: number): Promise<Row> {
  const row: Row = { id: `b${inflight}`, measure: `pipelined dict calls, ${inflight} in flight`, unit: 'calls/s', values: {} }
  for (const [system, kind, address] of targets(ctx)) {
    const job: LoadJob = { system: kind, address, op: 'pipe', inflight, durationMs: ctx.seconds * 1000, histogram: false }
    row.values[system] = (await measure(job, 1, ctx.runs)).fig
  }
  return row
}
