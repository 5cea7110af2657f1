// Row g: daemon memory (RSS and heap after a forced GC) with many dict entries, many live
// objects and many idle sessions; from the deltas, bytes per entry, per object and per session.

import { connect, type DictProxy } from '../../client'
import type { BenchContext, Row } from '../lib/context'
import { openIdleSessions } from '../lib/processes'

interface Mem {
  mem: NodeJS.MemoryUsage
  objects: number
  sessions: number
}

export async function rowG(ctx: BenchContext): Promise<Row[]> {
  const entries = ctx.quick ? 200_000 : 1_000_000
  const objects = ctx.quick ? 20_000 : 100_000
  const sessionCounts = ctx.quick ? [1000] : [1000, 10_000]
  const mem = (): Promise<Mem> => ctx.daemon.ask<Mem>({ cmd: 'mem' })
  const rows: Row[] = []

  const m = await connect(ctx.daemon.address, { authkey: 'bench', name: 'bench-memory' })
  try {
    // 1. dict entries: 'k<i>' → i, sent 10 000 at a time.
    let before = await mem()
    const d = await m.dict<string, number>()
    for (let i = 0; i < entries; i += 10_000) {
      const chunk: Record<string, number> = {}
      for (let j = i; j < Math.min(entries, i + 10_000); j++) chunk[`k${j}`] = j
      await d.update(chunk)
    }
    let after = await mem()
    rows.push({
      id: 'g1',
      measure: `memory, ${entries.toLocaleString('en')} small dict entries`,
      unit: 'bytes/entry (heap)',
      values: {},
      detail: {
        'heap bytes/entry': Math.round((after.mem.heapUsed - before.mem.heapUsed) / entries),
        'rss bytes/entry': Math.round((after.mem.rss - before.mem.rss) / entries),
        'heap MiB': Math.round(after.mem.heapUsed / 2 ** 20),
        'rss MiB': Math.round(after.mem.rss / 2 ** 20),
      },
    })
    await d.$release()

    // 2. live objects: empty dicts, each held by this session.
    const { bytesPerObject: dataBytes } = await ctx.daemon.ask<{ bytesPerObject: number }>({ cmd: 'dataBaseline', n: objects })
    before = await mem()
    const held: Array<DictProxy<unknown, unknown>> = []
    for (let i = 0; i < objects; i += 1000) held.push(...(await Promise.all(Array.from({ length: Math.min(1000, objects - i) }, () => m.dict()))))
    after = await mem()
    const perObject = (after.mem.heapUsed - before.mem.heapUsed) / objects
    rows.push({
      id: 'g2',
      measure: `memory, ${objects.toLocaleString('en')} live objects (empty dicts)`,
      unit: 'bytes/object (heap)',
      values: {},
      detail: {
        'heap bytes/object': Math.round(perObject),
        'of which the referent': Math.round(dataBytes),
        'daemon overhead bytes/object': Math.round(perObject - dataBytes),
        'rss bytes/object': Math.round((after.mem.rss - before.mem.rss) / objects),
      },
    })
    for (let i = 0; i < held.length; i += 1000) await Promise.all(held.slice(i, i + 1000).map((p) => p.$release()))
  } finally {
    await m.close()
  }

  // 3. idle sessions, opened from another process.
  for (const count of sessionCounts) {
    const before = await mem()
    const close = await openIdleSessions(ctx.daemon.address, count)
    const after = await mem()
    await close()
    rows.push({
      id: `g3-${count}`,
      measure: `memory, ${count.toLocaleString('en')} idle sessions`,
      unit: 'bytes/session',
      values: {},
      detail: {
        'heap bytes/session': Math.round((after.mem.heapUsed - before.mem.heapUsed) / count),
        'rss bytes/session': Math.round((after.mem.rss - before.mem.rss) / count),
        sessions: after.sessions,
      },
    })
  }
  return rows
}
