// debugInfo(): who holds what — objects with their holders (sessions, containers, names),
// sessions with what they hold (references, locks and permits, parked calls) — and counts.

import { PROTOCOL_VERSION, type DebugInfo, type DebugInfoOptions, type DebugSession, type DebugSummary, type Holders } from '../../protocol'
import type { ManagerCore } from './manager-core'
import type { ObjectEntry } from './object-entry'
import type { Session } from './session'

/** Counts only: no per-object work beyond one pass over the table. */
export function debugSummary(core: ManagerCore): DebugSummary {
  const objectsByType: Record<string, number> = Object.create(null) as Record<string, number>
  for (const e of core.table.entries()) objectsByType[e.typeid] = (objectsByType[e.typeid] ?? 0) + 1
  let connected = 0
  let parked = 0
  for (const s of core.sessions.values()) {
    if (s.state === 'connected') connected++
    parked += s.parked.size
  }
  return {
    sessions: core.sessions.size,
    connectedSessions: connected,
    objects: core.table.size,
    objectsByType: { ...objectsByType },
    names: core.names.size,
    parkedCalls: parked,
    calls: { server: core.dispatcher.counts.server, object: core.dispatcher.counts.object },
    replies: { ...core.replies.counts },
  }
}

export function buildDebugInfo(core: ManagerCore, options: DebugInfoOptions = {}): DebugInfo {
  core.table.collect()
  const info: DebugInfo = {
    version: PROTOCOL_VERSION,
    address: core.address,
    bootId: core.table.bootId,
    uptimeMs: Date.now() - core.startedAt,
    summary: debugSummary(core),
    objects: [],
    sessions: [],
    names: {},
  }
  if (options.tables === false) return info

  const holders = new Map<ObjectEntry, Holders>()
  const holdersOf = (e: ObjectEntry): Holders => {
    let h = holders.get(e)
    if (h === undefined) holders.set(e, (h = { sessions: [], objects: [], names: [] }))
    return h
  }
  for (const session of core.sessions.values()) {
    for (const [entry, count] of session.refs) holdersOf(entry).sessions.push({ id: session.id, count })
  }
  for (const entry of core.table.entries()) {
    if (entry.holdings === null) continue
    for (const [child, count] of entry.holdings) holdersOf(child).objects.push({ id: entry.id, count })
  }
  for (const [name, entry] of core.names) holdersOf(entry).names.push(name)
  info.objects = [...core.table.entries()].map((e) => ({
    id: e.id,
    typeid: e.typeid,
    refcount: e.refcount,
    holders: holders.get(e) ?? { sessions: [], objects: [], names: [] },
  }))
  const graceMs = core.sessions.graceMs
  info.sessions = [...core.sessions.values()].map((s) => describeSession(s, graceMs))
  const names: Record<string, string> = Object.create(null) as Record<string, string>
  for (const [name, e] of core.names) names[name] = e.id
  info.names = { ...names }
  return info
}

function describeSession(s: Session, graceMs: number): DebugSession {
  return {
    id: s.id,
    name: s.name ?? null,
    remoteAddress: s.remoteAddress,
    state: s.state,
    startedAt: new Date(s.startedAt),
    resumableUntil: s.state === 'detached' && s.detachedAt !== undefined ? new Date(s.detachedAt + graceMs) : null,
    references: [...s.refs].map(([e, count]) => ({ id: e.id, typeid: e.typeid, count })),
    holds: [...s.claims].map((c) => ({ id: c.object.id, typeid: c.object.typeid, kind: c.kind, count: c.count, label: c.label ?? null })),
    parkedCalls: s.parked.size,
  }
}
