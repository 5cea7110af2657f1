// Running the compiled `managerd` CLI as a real process.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'

export const CLI = join(__dirname, '../../dist/server/daemon/cli.js')

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 20_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** runCli without blocking this process (needed when the daemon runs in it: a harness daemon). */
export function runCliAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

export interface RunningDaemon {
  child: ChildProcess
  /** Parsed JSON log lines so far. */
  logs: Array<Record<string, unknown>>
  address: string
  exited: Promise<number | null>
}

/** Start `managerd serve` and wait for its 'listening' log line. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunningDaemon> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    const logs: Array<Record<string, unknown>> = []
    let buffer = ''
    let stderr = ''
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.stdout.on('data', (c: Buffer) => {
      buffer += c.toString()
      let i: number
      while ((i = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, i)
        buffer = buffer.slice(i + 1)
        try {
          const entry = JSON.parse(line) as Record<string, unknown>
          logs.push(entry)
          if (entry.msg === 'listening') resolve({ child, logs, address: String(entry.address), exited })
        } catch {
          // not a log line
        }
      }
    })
    void exited.then((code) => reject(new Error(`managerd exited with ${code} before listening: ${stderr}`)))
    setTimeout(() => reject(new Error('managerd did not start')), 20_000).unref()
  })
}
