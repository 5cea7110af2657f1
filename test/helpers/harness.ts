// Test harness: a real daemon on 127.0.0.1 port 0 (in this process, or as a child process) and
// clients over real sockets. Disposing the harness asserts the daemon's object count is back to
// its baseline — every test that uses it is also a leak test (capnweb's checkAllDisposed).

import { Writable } from 'node:stream'
import type { Logger } from 'pino'
import { connect, startManager, type ConnectOptions, type Manager, type StartManagerOptions } from '../../client'
import { Daemon, type DaemonOptions } from '../../server'
import { createLogger } from '../../server/daemon/logger'

export const TEST_KEY = 'test-authkey-0123456789'

/**
 * Daemons started by harnesses and not yet stopped. A test that times out never reaches its
 * `await using` disposal; jest-after-each.ts stops what is left so the worker can exit.
 */
export const liveDaemons = new Set<Daemon>()

/** Captures the daemon's pino lines so tests can assert on logs (and on secrets not being there). */
export class LogCapture {
  readonly lines: Array<Record<string, unknown>> = []
  readonly raw: string[] = []
  readonly logger: Logger
  constructor(level = 'debug') {
    const sink = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        for (const line of chunk.toString().split('\n')) {
          if (line.trim() === '') continue
          this.raw.push(line)
          try {
            this.lines.push(JSON.parse(line) as Record<string, unknown>)
          } catch {
            // not JSON: kept in raw
          }
        }
        done()
      },
    })
    // The daemon's own logger setup (redaction included), writing JSON here instead of stdout.
    this.logger = createLogger(level, false, sink)
  }
  find(msg: string | RegExp): Array<Record<string, unknown>> {
    return this.lines.filter((l) => (typeof msg === 'string' ? l.msg === msg : msg.test(String(l.msg))))
  }
  text(): string {
    return this.raw.join('\n')
  }
}

/** Poll `check` until it returns true or `timeoutMs` passes (generous bounds; no timing asserts). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

export interface Harness extends AsyncDisposable {
  daemon: Daemon
  logs: LogCapture
  address: string
  /** A new client session (closed by the harness at the end). */
  client(options?: ConnectOptions): Promise<Manager>
  /** Objects alive on the daemon when the harness started. */
  baseline: number
}

/** A daemon in this process. `[Symbol.asyncDispose]` closes clients, checks for leaks, stops it. */
export async function startHarness(options: DaemonOptions = {}): Promise<Harness> {
  const logs = new LogCapture()
  const daemon = await Daemon.start({ port: 0, authkey: TEST_KEY, logger: logs.logger, heartbeatMs: 0, ...options })
  liveDaemons.add(daemon)
  void daemon.stopped.then(() => liveDaemons.delete(daemon))
  const clients: Manager[] = []
  const baseline = daemon.core.table.size
  return {
    daemon,
    logs,
    address: daemon.address,
    baseline,
    async client(opts: ConnectOptions = {}) {
      const m = await connect(daemon.address, { authkey: TEST_KEY, ...opts })
      clients.push(m)
      return m
    },
    async [Symbol.asyncDispose]() {
      try {
        for (const m of clients) await m.close()
        // Closing sessions frees what they held; cycles are collected on the next count.
        await eventually(() => {
          daemon.core.table.collect()
          return daemon.core.table.size === baseline
        }, 5000, 'the object count to return to its baseline').catch(() => {
          const left = [...daemon.core.table.entries()].map((e) => `${e.typeid}:${e.id}(rc=${e.refcount})`)
          throw new Error(`leak: ${daemon.core.table.size} objects alive, baseline ${baseline}: ${left.join(', ')}`)
        })
      } finally {
        await daemon.stop('test finished')
      }
    },
  }
}

/** A daemon in a child process (startManager), for tests where a real separate process matters. */
export async function startChildDaemon(options: StartManagerOptions = {}): Promise<Manager & AsyncDisposable> {
  const m = await startManager({ authkey: TEST_KEY, ...options })
  return m
}
