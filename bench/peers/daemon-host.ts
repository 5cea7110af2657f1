// The managerd daemon as the benchmark runs it: in its own process (its own core), with a
// channel for memory readings after a forced GC. Run with --expose-gc.

import { Daemon, SharedDict } from '../../server'

interface Command {
  cmd: 'mem' | 'dataBaseline' | 'stop'
  n?: number
}

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc
  if (g === undefined) throw new Error('run the daemon host with --expose-gc')
  for (let i = 0; i < 3; i++) g()
}

function memory(): NodeJS.MemoryUsage {
  gc()
  return process.memoryUsage()
}

async function main(): Promise<void> {
  const daemon = await Daemon.start({
    port: 0,
    authkey: process.env.MANAGERD_AUTHKEY ?? 'bench',
    logLevel: 'warn',
    heartbeatMs: 0,
    maxSessions: 100_000,
    maxInFlight: 100_000,
  })
  process.on('message', (msg: Command) => {
    if (msg.cmd === 'mem') process.send!({ mem: memory(), objects: daemon.core.table.size, sessions: daemon.core.sessions.size })
    else if (msg.cmd === 'dataBaseline') {
      // The referents alone, outside the table: what 'data' costs, to tell the daemon's overhead.
      const before = memory().heapUsed
      const keep: SharedDict[] = []
      for (let i = 0; i < (msg.n ?? 0); i++) keep.push(new SharedDict())
      const after = memory().heapUsed
      keep.length = 0
      process.send!({ bytesPerObject: (after - before) / (msg.n ?? 1) })
    } else if (msg.cmd === 'stop') void daemon.stop('benchmark done').then(() => process.exit(0))
  })
  process.on('disconnect', () => void daemon.stop('parent gone').then(() => process.exit(0)))
  process.send!({ ready: true, address: daemon.address, pid: process.pid })
}

void main()
