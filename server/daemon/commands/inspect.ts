// `managerd inspect`: the debugInfo tables, readable — which session holds which lock, who holds
// each object (sessions, containers, names), what each client keeps alive. --json for scripts;
// --session and --object narrow it down. Connects as a normal client; its own session is left out.

import type { DebugInfo, DebugObject, DebugSession } from '../../../protocol'
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, clientTarget, parseFlags, type Command } from './args'
import { duration, table } from './format'
import { openSession } from './session-client'

const HELP = `Usage: managerd inspect [options]

Who holds what on a running daemon: sessions (with the objects they reference and the locks and
permits they hold), objects (with every holder: sessions, containers, names) and published names.

Options:
${CLIENT_FLAGS_HELP}
  --session ID|NAME    only this session (by id or client name): what it references and holds
  --object ID          only this object and its holders`

const FLAGS = { ...CLIENT_FLAGS, session: { type: 'string' }, object: { type: 'string' } } as const

export const inspect: Command = { usage: () => HELP, run: runInspect }

async function runInspect(argv: string[]): Promise<number> {
  const values = parseFlags('inspect', argv, FLAGS)
  const target = clientTarget('inspect', values)
  const manager = await openSession(target, 'managerd inspect')
  let info: DebugInfo
  try {
    info = await manager.debugInfo()
  } finally {
    await manager.close()
  }
  // This inspect session is the observer: it holds nothing and is not shown.
  info.sessions = info.sessions.filter((s) => s.id !== manager.sessionId)
  info.objects = info.objects.map((o) => ({ ...o, holders: { ...o.holders, sessions: o.holders.sessions.filter((h) => h.id !== manager.sessionId) } }))
  // Names and typeids of everything, for the rows a filter keeps.
  const lookup: Lookup = {
    names: new Map(info.sessions.map((s) => [s.id, s.name])),
    typeids: new Map(info.objects.map((o) => [o.id, o.typeid])),
  }
  if (values.session !== undefined) {
    const wanted = values.session
    info.sessions = info.sessions.filter((s) => s.id === wanted || s.name === wanted)
    const referenced = new Set(info.sessions.flatMap((s) => s.references.map((r) => r.id)))
    info.objects = info.objects.filter((o) => referenced.has(o.id))
  }
  if (values.object !== undefined) {
    const wanted = values.object
    info.objects = info.objects.filter((o) => o.id === wanted)
    const holders = new Set(info.objects.flatMap((o) => o.holders.sessions.map((h) => h.id)))
    info.sessions = info.sessions.filter((s) => holders.has(s.id) || s.holds.some((h) => h.id === wanted))
  }
  if (values.session !== undefined || values.object !== undefined) {
    const shown = new Set(info.objects.map((o) => o.id))
    info.names = Object.fromEntries(Object.entries(info.names).filter(([, id]) => shown.has(id)))
  }
  process.stdout.write(target.json ? JSON.stringify(info, null, 2) + '\n' : render(info, lookup) + '\n')
  return 0
}

interface Lookup {
  names: Map<string, string | null>
  typeids: Map<string, string>
}

function render(info: DebugInfo, lookup: Lookup): string {
  const typeOf = lookup.typeids
  const who = (id: string): string => {
    const name = lookup.names.get(id)
    return name === null || name === undefined ? id : `${id} (${name})`
  }
  const out: string[] = [`daemon ${info.address}  boot ${info.bootId}  up ${duration(info.uptimeMs)}`, '']

  out.push(`SESSIONS (${info.sessions.length})`)
  out.push(
    info.sessions.length === 0
      ? '  none'
      : table(
          ['id', 'client', 'remote', 'state', 'objects', 'refs', 'holds', 'parked', 'since'],
          info.sessions.map((s) => [s.id, s.name ?? '-', s.remoteAddress, stateOf(s), s.references.length, refCount(s), s.holds.length, s.parkedCalls, new Date(s.startedAt).toISOString()]),
        ),
  )

  const holds = info.sessions.flatMap((s) => s.holds.map((h) => ({ s, h })))
  out.push('', `LOCKS AND PERMITS HELD (${holds.length})`)
  out.push(
    holds.length === 0
      ? '  none'
      : table(
          ['object', 'typeid', 'kind', 'count', 'held by session', 'label'],
          holds.map(({ s, h }) => [h.id, h.typeid, h.kind, h.count, who(s.id), h.label ?? '-']),
        ),
  )

  out.push('', `OBJECTS (${info.objects.length})`)
  out.push(
    info.objects.length === 0
      ? '  none'
      : table(
          ['id', 'typeid', 'refcount', 'held by'],
          info.objects.map((o) => [o.id, o.typeid, o.refcount, holdersOf(o, who, typeOf)]),
        ),
  )

  const names = Object.entries(info.names)
  out.push('', `NAMES (${names.length})`)
  out.push(names.length === 0 ? '  none' : table(['name', 'object', 'typeid'], names.map(([n, id]) => [n, id, typeOf.get(id) ?? '?'])))
  return out.join('\n')
}

function stateOf(s: DebugSession): string {
  if (s.state !== 'detached' || s.resumableUntil === null) return s.state
  return `detached (ends ${new Date(s.resumableUntil).toISOString()} unless resumed)`
}

function refCount(s: DebugSession): number {
  return s.references.reduce((n, r) => n + r.count, 0)
}

function holdersOf(o: DebugObject, who: (id: string) => string, typeOf: Map<string, string>): string {
  const parts = [
    ...o.holders.sessions.map((h) => `session ${who(h.id)}${h.count > 1 ? ` ×${h.count}` : ''}`),
    ...o.holders.objects.map((h) => `${typeOf.get(h.id) ?? 'object'} ${h.id}${h.count > 1 ? ` ×${h.count}` : ''}`),
    ...o.holders.names.map((n) => `name ${JSON.stringify(n)}`),
  ]
  return parts.length === 0 ? '(nothing: about to be freed)' : parts.join(', ')
}
