// A client in a separate Node process that stays up while the test talks to it: read the JSON
// lines it prints as they come, then kill it (SIGKILL for a crash) or let it finish.

import { spawn, type ChildProcess } from 'node:child_process'
import { TEST_KEY } from './harness'

export interface ClientProcess extends AsyncDisposable {
  readonly child: ChildProcess
  /** The next line it prints (parsed as JSON when it is JSON). */
  nextLine(timeoutMs?: number): Promise<unknown>
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>
}

/** Run `script` with MANAGERD_URL and MANAGERD_AUTHKEY set for the harness daemon at `address`. */
export function spawnClient(script: string, address: string, env: Record<string, string> = {}): ClientProcess {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, MANAGERD_URL: address, MANAGERD_AUTHKEY: TEST_KEY, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: unknown[] = []
  const wanted: Array<(line: unknown) => void> = []
  let buffered = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString()
    let nl: number
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const text = buffered.slice(0, nl)
      buffered = buffered.slice(nl + 1)
      if (text.trim() === '') continue
      let line: unknown = text
      try {
        line = JSON.parse(text)
      } catch {
        // plain text stays text
      }
      const w = wanted.shift()
      if (w !== undefined) w(line)
      else lines.push(line)
    }
  })
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  )
  return {
    child,
    exited,
    nextLine(timeoutMs = 15_000) {
      if (lines.length > 0) return Promise.resolve(lines.shift())
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${script} printed nothing in ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs)
        wanted.push((line) => {
          clearTimeout(timer)
          resolve(line)
        })
        void exited.then(({ code }) => {
          clearTimeout(timer)
          reject(new Error(`${script} exited (${code}) before printing; stderr: ${stderr}`))
        })
      })
    },
    async [Symbol.asyncDispose]() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    },
  }
}
