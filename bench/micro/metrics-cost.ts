// What metrics cost on the call path: dict calls over a loopback WebSocket to a daemon with
// metrics off, on (call timing, never scraped), and on with a /metrics scrape every second (which
// also starts prom-client's process metrics: event-loop monitor, GC observer). Each run is a fresh
// process; the variants take turns so drift hits all alike. Reports medians of calls/s.
//
//   npm run build && npm run build:bench
//   node dist/bench/micro/metrics-cost.js [--calls 500000] [--runs 5] [--depth 1]
//
// --depth 1 sends one call per frame (the worst case for per-frame timing); --depth 64 keeps
// 64 calls in flight, so frames carry batches.

import { spawn, spawnSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { connect } from '../../client'
import { Daemon } from '../../server'
import { figure, formatNumber } from '../lib/stats'

const KEY = 'metrics-cost-bench-key'

type Variant = 'off' | 'on' | 'scraped'
const VARIANTS: readonly Variant[] = ['off', 'on', 'scraped']

async function oneRun(variant: Variant, calls: number, depth: number): Promise<number> {
  const metrics = variant !== 'off'
  const daemon = await Daemon.start({ port: 0, authkey: KEY, logLevel: 'silent', heartbeatMs: 0, metrics })
  const m = await connect(daemon.address, { authkey: KEY })
  const d = await m.dict<string, number>()
  const http = daemon.address.replace('ws://', 'http://')
  // The scraper is another process, as Prometheus is: only serving the scrape is the daemon's cost.
  const scraper =
    variant === 'scraped'
      ? spawn(process.execPath, ['-e', `setInterval(() => fetch(${JSON.stringify(`${http}/metrics`)}).then((r) => r.text()).then(() => process.stdout.write('.')), 1000)`], {
          stdio: ['ignore', 'pipe', 'inherit'],
        })
      : undefined
  let scrapes = 0
  scraper?.stdout?.on('data', (c: Buffer) => (scrapes += c.length))
  const worker = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) await d.set('k', i)
  }
  for (let i = 0; i < 2000; i++) await d.set('warm', i) // JIT warm-up, not timed
  // The scraper's start-up and first scrape (which makes the process metrics) are not timed either.
  while (scraper !== undefined && scrapes === 0) await new Promise((r) => setTimeout(r, 50))
  const scrapesBefore = scrapes
  const t0 = performance.now()
  await Promise.all(Array.from({ length: depth }, (_, w) => worker(Math.floor(calls / depth) + (w < calls % depth ? 1 : 0))))
  const seconds = (performance.now() - t0) / 1000
  scraper?.kill()
  await d.$release()
  await m.close()
  await daemon.stop()
  process.stderr.write(`  ${variant.padEnd(7)}: ${formatNumber(calls / seconds)} calls/s${variant === 'scraped' ? ` (${scrapes - scrapesBefore} scrapes)` : ''}\n`)
  return calls / seconds
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { calls: { type: 'string' }, runs: { type: 'string' }, depth: { type: 'string' }, child: { type: 'string' } },
  })
  const calls = Number(values.calls ?? 500_000)
  const depth = Number(values.depth ?? 1)
  if (values.child !== undefined) {
    const rate = await oneRun(values.child as Variant, calls, depth)
    process.stdout.write(`${rate}\n`)
    return
  }
  const runs = Number(values.runs ?? 5)
  const rates: Record<Variant, number[]> = { off: [], on: [], scraped: [] }
  process.stderr.write(`${calls} dict.set calls, ${depth} in flight, ${runs} runs of each variant, taking turns:\n`)
  for (let i = 0; i < runs; i++) {
    // Rotate the order each round so no variant always runs first (or right after another).
    const order = VARIANTS.map((_, k) => VARIANTS[(k + i) % VARIANTS.length]!)
    for (const variant of order) {
      const r = spawnSync(process.execPath, [__filename, '--child', variant, '--calls', String(calls), '--depth', String(depth)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
      if (r.status !== 0) throw new Error(`run failed: ${r.status}`)
      rates[variant].push(Number(r.stdout.trim()))
    }
  }
  const off = figure(rates.off)
  for (const variant of VARIANTS) {
    const f = figure(rates[variant])
    const cost = variant === 'off' ? '' : `  cost ${(((off.median - f.median) / off.median) * 100).toFixed(1)}% (negative: faster, i.e. noise)`
    process.stdout.write(`${variant.padEnd(7)} median ${formatNumber(f.median)} calls/s (min ${formatNumber(f.min)}, max ${formatNumber(f.max)})${cost}\n`)
  }
}

void main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
