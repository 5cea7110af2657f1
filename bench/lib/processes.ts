// The processes a benchmark run is made of: the managerd daemon host, the floor servers, load
// workers (reused across runs) and the Python SyncManager script.

import { fork, spawn, type ChildProcess } from 'node:child_process'
import { join, resolve as resolvePath } from 'node:path'
import type { LoadJob, LoadResult } from '../workers/load-worker'

const here = join(__dirname, '..')

interface Ready {
  ready: true
  address: string
  pid: number
}

function waitFor<T>(child: ChildProcess, predicate: (msg: unknown) => msg is T, what: string, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: timed out`)), timeoutMs)
    const onMessage = (msg: unknown): void => {
      if (!predicate(msg)) return
      clearTimeout(timer)
      child.off('message', onMessage)
      child.off('exit', onExit)
      resolve(msg)
    }
    const onExit = (code: number | null): void => {
      clearTimeout(timer)
      reject(new Error(`${what}: process exited with ${code}`))
    }
    child.on('message', onMessage)
    child.once('exit', onExit)
  })
}

const isReady = (m: unknown): m is Ready => typeof m === 'object' && m !== null && (m as Ready).ready === true

/** A server script's `{ ready, address, pid }` message (every peer sends one once it listens). */
export function waitForReady(child: ChildProcess, what: string, timeoutMs?: number): Promise<Ready> {
  return waitFor(child, isReady, what, timeoutMs)
}

export interface Peer {
  address: string
  pid: number
  child: ChildProcess
  /** Ask the daemon host something (memory readings). */
  ask<T>(msg: object): Promise<T>
  stop(): Promise<void>
}

/** `script`: a path under dist/bench (this build's), or an absolute one (another checkout's). */
async function startPeer(script: string, args: string[], execArgv: string[]): Promise<Peer> {
  const child = fork(resolvePath(here, script), args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, MANAGERD_AUTHKEY: 'bench' } })
  const ready = await waitForReady(child, script)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    address: ready.address,
    pid: ready.pid,
    child,
    ask: <T>(msg: object) => {
      const reply = waitFor(child, (m): m is T => typeof m === 'object' && m !== null && !('ready' in m), 'daemon host', 600_000)
      child.send(msg)
      return reply
    },
    stop: async () => {
      child.disconnect()
      await exited
    },
  }
}

export function startDaemonHost(profileDir?: string): Promise<Peer> {
  const execArgv = ['--expose-gc', '--max-old-space-size=8192']
  if (profileDir !== undefined) execArgv.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`)
  return startPeer('peers/daemon-host.js', [], execArgv)
}

/** The daemon host of another checkout's build (bench:ab); `distBench` is its dist/bench. */
export function startDaemonHostIn(distBench: string): Promise<Peer> {
  return startPeer(join(distBench, 'peers/daemon-host.js'), [], ['--expose-gc'])
}

export function startFloor(mode: 'naive' | 'corked'): Promise<Peer> {
  return startPeer('peers/floor-server.js', [mode], [])
}

export function startTcpFloor(): Promise<Peer> {
  return startPeer('peers/tcp-floor-server.js', [], [])
}

/** N load workers for one job, kept across runs: each `run()` is one timed, simultaneous run. */
export class WorkerPool {
  readonly #workers: ChildProcess[]
  private constructor(workers: ChildProcess[]) {
    this.#workers = workers
  }

  static async start(job: LoadJob, count: number): Promise<WorkerPool> {
    const workers = Array.from({ length: count }, () =>
      fork(join(here, 'workers/load-worker.js'), [JSON.stringify(job)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
    )
    await Promise.all(workers.map((w) => waitFor(w, isReady, 'load worker')))
    return new WorkerPool(workers)
  }

  /** One run on every worker at once; the summed operations per second. */
  async run(): Promise<{ perSecond: number; results: LoadResult[] }> {
    const isResult = (m: unknown): m is { result: LoadResult } => typeof m === 'object' && m !== null && 'result' in m
    const pending = this.#workers.map((w) => waitFor(w, isResult, 'load worker run', 600_000))
    for (const w of this.#workers) w.send('go')
    const results = (await Promise.all(pending)).map((r) => r.result)
    const seconds = Math.max(...results.map((r) => r.seconds))
    return { perSecond: results.reduce((s, r) => s + r.ops, 0) / seconds, results }
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.#workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.exitCode !== null) return resolve()
            w.once('exit', () => resolve())
            w.send('exit')
          }),
      ),
    )
  }
}

export interface PythonResult {
  ops: number
  seconds: number
  per_second: number
  p50us?: number
  p99us?: number
}

/** One run of Python's SyncManager (bench/python/sync_manager_bench.py). */
export function runPython(op: 'seq' | 'churn' | 'pingpong' | 'lock', procs: number, seconds: number): Promise<PythonResult> {
  return new Promise((resolve, reject) => {
    const script = join(__dirname, '../../../bench/python/sync_manager_bench.py')
    const child = spawn('python3', [script, '--op', op, '--procs', String(procs), '--duration', String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`python bench ${op} exited ${code}`))
      resolve(JSON.parse(out.trim().split('\n').pop()!) as PythonResult)
    })
  })
}

/** Open `count` idle sessions from a helper process; resolves with a function that closes them. */
export async function openIdleSessions(address: string, count: number): Promise<() => Promise<void>> {
  const child = fork(join(here, 'workers/idle-sessions.js'), [address, String(count)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, MANAGERD_AUTHKEY: 'bench' },
  })
  await waitFor(child, isReady, 'idle sessions', 600_000)
  return async () => {
    const closed = waitFor(child, (m): m is { closed: true } => typeof m === 'object' && m !== null && 'closed' in m, 'idle sessions close')
    child.send('close')
    await closed
  }
}
