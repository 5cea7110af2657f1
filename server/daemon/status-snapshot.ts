// What /status.json serves (the status page polls it): health, counts, the first sessions with
// what they hold, and the recent session events. Names and addresses: behind the metrics token.

import { debugSummary } from '../core/debug-info'
import type { ManagerCore } from '../core/manager-core'
import type { Readiness } from '../http/app'
import type { TransportStats } from '../transport/stats'
import type { SessionEvent, SessionEventLog } from './session-events'

/** A page listing 10 000 sessions helps nobody: the first ones are shown, with the total. */
const MAX_SESSIONS_LISTED = 100

export interface StatusSnapshot {
  address: string
  bootId: string
  readiness: Readiness
  uptimeMs: number
  sessions: {
    total: number
    connected: number
    detached: number
    list: Array<{ id: string; name: string | null; remoteAddress: string; state: string; references: number; holds: number; parkedCalls: number }>
  }
  objects: { total: number; byType: Record<string, number>; names: number }
  calls: { server: number; object: number; total: number; parked: number; replies: Record<string, number> }
  transport: { bytesIn: number; bytesOut: number; handshakes: number; handshakeFailures: number }
  events: SessionEvent[]
}

export function statusSnapshot(core: ManagerCore, stats: TransportStats, events: SessionEventLog, readiness: Readiness): StatusSnapshot {
  const summary = debugSummary(core)
  const list: StatusSnapshot['sessions']['list'] = []
  for (const s of core.sessions.values()) {
    if (list.length >= MAX_SESSIONS_LISTED) break
    let references = 0
    for (const n of s.refs.values()) references += n
    list.push({ id: s.id, name: s.name ?? null, remoteAddress: s.remoteAddress, state: s.state, references, holds: s.claims.size, parkedCalls: s.parked.size })
  }
  return {
    address: core.address,
    bootId: core.table.bootId,
    readiness,
    uptimeMs: Date.now() - core.startedAt,
    sessions: { total: summary.sessions, connected: summary.connectedSessions, detached: summary.sessions - summary.connectedSessions, list },
    objects: { total: summary.objects, byType: summary.objectsByType, names: summary.names },
    calls: {
      server: summary.calls.server,
      object: summary.calls.object,
      total: summary.calls.server + summary.calls.object,
      parked: summary.parkedCalls,
      replies: summary.replies,
    },
    transport: {
      bytesIn: stats.bytesIn,
      bytesOut: stats.bytesOut,
      handshakes: stats.handshakes,
      handshakeFailures: stats.authFailures + stats.handshakeTimeouts,
    },
    events: events.recent(),
  }
}
