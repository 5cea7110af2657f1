// `managerd status`: is the daemon healthy, and how busy is it? Health and readiness over HTTP,
// then, as a normal client, two debugInfo({ tables: false }) samples a short interval apart:
// uptime, sessions, objects by typeid, parked calls and calls per second. Exit 0 when ready.

import type { DebugInfo } from '../../../protocol'
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, clientTarget, parseFlags, wholeNumber, type Command } from './args'
import { countsByKey, duration } from './format'
import { UnreachableError, openSession, probe } from './session-client'

const HELP = `Usage: managerd status [options]

Health, uptime, sessions, objects and calls per second of a running daemon. Exits 0 when the
daemon is ready, 1 when it is unreachable, not ready, or refuses the key.

Options:
${CLIENT_FLAGS_HELP}
  --interval-ms N      time between the two samples calls/s is measured over (default 1000)`

const FLAGS = { ...CLIENT_FLAGS, 'interval-ms': { type: 'string' } } as const

export interface StatusReport {
  url: string
  healthz: number | null
  readyz: string
  uptimeMs: number
  sessions: { total: number; connected: number; detached: number }
  objects: { total: number; byType: Record<string, number> }
  names: number
  parkedCalls: number
  callsPerSecond: number
  intervalMs: number
  replies: Record<string, number>
}

export const status: Command = { usage: () => HELP, run: runStatus }

async function runStatus(argv: string[]): Promise<number> {
  const values = parseFlags('status', argv, FLAGS)
  const target = clientTarget('status', values)
  const intervalMs = wholeNumber('--interval-ms', values['interval-ms'], 1000, 100, 60_000)

  const [healthz, readyz] = await Promise.all([probe(target, '/healthz'), probe(target, '/readyz')])
  if (healthz.status === null) throw new UnreachableError(`${target.httpUrl}/healthz: ${healthz.error ?? 'no answer'}`)
  const readiness = readyState(readyz.body)
  if (readyz.status !== 200) {
    process.stdout.write(target.json ? JSON.stringify({ url: target.url, healthz: healthz.status, readyz: readiness }) + '\n' : `${target.url}: alive but ${readiness} (readyz ${readyz.status})\n`)
    return 1
  }

  const manager = await openSession(target, 'managerd status')
  let first: DebugInfo
  let second: DebugInfo
  let elapsedMs: number
  try {
    first = await manager.debugInfo({ tables: false })
    const t0 = performance.now()
    await new Promise((r) => setTimeout(r, intervalMs))
    second = await manager.debugInfo({ tables: false })
    elapsedMs = performance.now() - t0
  } finally {
    await manager.close()
  }
  const calls = (d: DebugInfo): number => d.summary.calls.server + d.summary.calls.object
  // The second sample counts its own debugInfo call: leave it out.
  const perSecond = Math.max(0, calls(second) - calls(first) - 1) / (elapsedMs / 1000)
  const s = second.summary
  const report: StatusReport = {
    url: target.url,
    healthz: healthz.status,
    readyz: readiness,
    uptimeMs: second.uptimeMs,
    // This status session is not counted: it is the observer, not the load.
    sessions: { total: s.sessions - 1, connected: s.connectedSessions - 1, detached: s.sessions - s.connectedSessions },
    objects: { total: s.objects, byType: s.objectsByType },
    names: s.names,
    parkedCalls: s.parkedCalls,
    callsPerSecond: Math.round(perSecond * 10) / 10,
    intervalMs: Math.round(elapsedMs),
    replies: s.replies,
  }
  process.stdout.write(target.json ? JSON.stringify(report, null, 2) + '\n' : render(report) + '\n')
  return 0
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`
}

function readyState(body: string): string {
  try {
    const parsed = JSON.parse(body) as { status?: unknown }
    return typeof parsed.status === 'string' ? parsed.status : 'unknown'
  } catch {
    return 'unknown'
  }
}

function render(r: StatusReport): string {
  const errors = (r.replies['#ERROR'] ?? 0) + (r.replies['#TRACEBACK'] ?? 0)
  return [
    `daemon    ${r.url}  ${r.readyz} (healthz ${r.healthz})`,
    `uptime    ${duration(r.uptimeMs)}`,
    `sessions  ${r.sessions.total} (${r.sessions.connected} connected, ${r.sessions.detached} detached)`,
    `objects   ${r.objects.total}: ${countsByKey(r.objects.byType)}; ${plural(r.names, 'published name')}`,
    `parked    ${plural(r.parkedCalls, 'call')}`,
    `calls/s   ${r.callsPerSecond} (over ${(r.intervalMs / 1000).toFixed(1)} s; ${errors} errors since start)`,
  ].join('\n')
}
