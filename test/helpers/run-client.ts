// Runs a client script in a separate Node process (compiled JS under dist/ or a .js fixture),
// passing it the daemon address and key, and collecting what it prints as JSON lines.

import { spawn } from 'node:child_process'

export interface ClientRun {
  code: number | null
  signal: NodeJS.Signals | null
  lines: unknown[]
  stderr: string
}

export function runClientProcess(script: string, env: Record<string, string>, timeoutMs = 30_000): Promise<ClientRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    child.stderr.on('data', (c: Buffer) => (err += c.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`client ${script} timed out; stderr: ${err}`))
    }, timeoutMs)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      const lines = out
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => {
          try {
            return JSON.parse(l) as unknown
          } catch {
            return l
          }
        })
      resolve({ code, signal, lines, stderr: err })
    })
  })
}
