// Rows a and b: sequential set/get (latency parity) and pipelined calls on one connection.

import type { LoadJob } from '../workers/load-worker'
import type { BenchContext, Row, System } from '../lib/context'
import { cpuMicros } from '../lib/cpu'
import { WorkerPool, runPython } from '../lib/processes'
import { figure, type Figure } from '../lib/stats'

/**
 * The systems of rows a and b: [column, load-worker kind, address, server pid]. Node's TCP echo
 * only where a round trip's cost is the question (sequential): it does not batch.
 */
function targets(ctx: BenchContext, sequential: boolean): Array<[System, LoadJob['system'], string, number | undefined]> {
  const list: Array<[System, LoadJob['system'], string, number | undefined]> = [
    ['managerd', 'managerd', ctx.daemon.address, ctx.daemon.pid],
    ['floorNaive', 'floor', ctx.floorNaive.address, ctx.floorNaive.pid],
    ['floorCorked', 'floor', ctx.floorCorked.address, ctx.floorCorked.pid],
  ]
  if (sequential) list.push(['floorTcp', 'tcp', ctx.floorTcp.address, ctx.floorTcp.pid])
  if (ctx.redisUrl !== undefined) list.push(['redis', 'redis', ctx.redisUrl, ctx.redisPid])
  return list
}

export interface Measured {
  fig: Figure
  p50: number[]
  p99: number[]
  /** CPU the server process spent per operation over all timed runs (when its pid is known). */
  serverCpuUsPerOp: number | undefined
  /** CPU the client processes spent per operation over all timed runs. */
  clientCpuUsPerOp: number
}

/**
 * `runs` timed runs of one job on `procs` workers (each warmed up first, see LoadJob.warmupMs);
 * the figure of ops/s, the raw latency results, and the server's CPU per operation.
 */
export async function measure(job: LoadJob, procs: number, runs: number, serverPid?: number): Promise<Measured> {
  const pool = await WorkerPool.start(job, procs)
  const perRun: number[] = []
  const p50: number[] = []
  const p99: number[] = []
  let ops = 0
  let clientCpuUs = 0
  const cpuBefore = serverPid === undefined ? undefined : cpuMicros(serverPid)
  try {
    for (let i = 0; i < runs; i++) {
      const { perSecond, results } = await pool.run()
      perRun.push(perSecond)
      for (const r of results) {
        ops += r.ops
        clientCpuUs += r.cpuUs
      }
      if (results[0]?.p50us !== undefined) p50.push(results[0].p50us)
      if (results[0]?.p99us !== undefined) p99.push(results[0].p99us)
    }
  } finally {
    await pool.stop()
  }
  const cpuAfter = serverPid === undefined ? undefined : cpuMicros(serverPid)
  const serverCpuUsPerOp = cpuBefore === undefined || cpuAfter === undefined || ops === 0 ? undefined : (cpuAfter - cpuBefore) / ops
  return { fig: figure(perRun), p50, p99, serverCpuUsPerOp, clientCpuUsPerOp: ops === 0 ? NaN : clientCpuUs / ops }
}

/** A CPU figure for the detail lines: one decimal, or '—' when it could not be read. */
export function cpuDetail(us: number | undefined): number | string {
  return us === undefined ? '—' : Math.round(us * 10) / 10
}

export async function rowA(ctx: BenchContext): Promise<Row> {
  const row: Row = { id: 'a', measure: 'sequential dict set then get', unit: 'calls/s', values: {}, detail: {} }
  for (const [system, kind, address, pid] of targets(ctx, true)) {
    const job: LoadJob = { system: kind, address, op: 'seq', inflight: 1, durationMs: ctx.seconds * 1000, histogram: true, warmupMs: ctx.warmupMs }
    const { fig, p50, p99, serverCpuUsPerOp, clientCpuUsPerOp } = await measure(job, 1, ctx.runs, pid)
    row.values[system] = fig
    row.detail![`${system} p50 µs`] = Math.round(figure(p50).median)
    row.detail![`${system} p99 µs`] = Math.round(figure(p99).median)
    row.detail![`${system} server CPU µs/call`] = cpuDetail(serverCpuUsPerOp)
    row.detail![`${system} client CPU µs/call`] = cpuDetail(clientCpuUsPerOp)
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
  const row: Row = { id: `b${inflight}`, measure: `pipelined dict calls, ${inflight} in flight`, unit: 'calls/s', values: {}, detail: {} }
  for (const [system, kind, address, pid] of targets(ctx, false)) {
    const job: LoadJob = { system: kind, address, op: 'pipe', inflight, durationMs: ctx.seconds * 1000, histogram: false, warmupMs: ctx.warmupMs }
    const { fig, serverCpuUsPerOp, clientCpuUsPerOp } = await measure(job, 1, ctx.runs, pid)
    row.values[system] = fig
    row.detail![`${system} server CPU µs/call`] = cpuDetail(serverCpuUsPerOp)
    row.detail![`${system} client CPU µs/call`] = cpuDetail(clientCpuUsPerOp)
  }
  return row
}
