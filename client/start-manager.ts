// startManager(): spawn a daemon as a child process on a free port with a fresh random key and
// connect to it — BaseManager.start(). The manager owns the daemon: close() stops it.

import { fork, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ConnectionLostError } from '../protocol'
import { connect, type ConnectOptions } from './connect'
import type { Manager } from './manager'

export interface StartManagerOptions extends Omit<ConnectOptions, 'authkey'> {
  /** Modules registering user types (`--types`), resolved from the current directory. */
  types?: string[]
  /** Use this key instead of a random one. */
  authkey?: string
  host?: string
  port?: number
  /** Daemon log level (default 'warn'); its logs go to this process's stderr. */
  logLevel?: string
  /** More daemon flags, as on the command line. */
  args?: string[]
  /** Environment of the daemon (default: this process's). */
  env?: NodeJS.ProcessEnv
  /** How long to wait for the daemon to listen. Default 15 000 ms. */
  startTimeoutMs?: number
}

/** The CLI next to this file in dist/, or dist/ of the package when running from sources. */
function cliPath(): string {
  const candidates = [join(__dirname, '../server/daemon/cli.js'), join(__dirname, '../dist/server/daemon/cli.js')]
  const found = candidates.find((p) => existsSync(p))
  if (found === undefined) throw new Error(`managerd CLI not found (looked in ${candidates.join(', ')}); run npm run build`)
  return found
}

function waitForReady(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let stderr = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000)
      process.stderr.write(chunk)
    })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new ConnectionLostError(`the daemon did not start within ${timeoutMs} ms`))
    }, timeoutMs)
    child.once('message', (msg: { type?: string; address?: string }) => {
      clearTimeout(timer)
      if (msg?.type === 'managerd.ready' && typeof msg.address === 'string') resolve(msg.address)
      else reject(new ConnectionLostError('the daemon sent an unexpected first message'))
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new ConnectionLostError(`the daemon exited with code ${code} before it listened${stderr ? ': ' + stderr.trim() : ''}`))
    })
  })
}

export async function startManager(options: StartManagerOptions = {}): Promise<Manager> {
  const authkey = options.authkey ?? randomBytes(32).toString('hex')
  const args = ['serve', '--host', options.host ?? '127.0.0.1', '--port', String(options.port ?? 0), '--log-level', options.logLevel ?? 'warn']
  for (const t of options.types ?? []) args.push('--types', t)
  args.push(...(options.args ?? []))
  const child = fork(cliPath(), args, {
    env: { ...(options.env ?? process.env), MANAGERD_AUTHKEY: authkey, MANAGERD_LOG_PRETTY: 'false' },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let address: string
  try {
    address = await waitForReady(child, options.startTimeoutMs ?? 15_000)
  } catch (err) {
    child.kill('SIGKILL')
    throw err
  }
  const stopDaemon = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(timer)
  }
  try {
    const { types: _t, host: _h, port: _p, logLevel: _l, args: _a, env: _e, startTimeoutMs: _s, ...connectOptions } = options
    // Off by default: the daemon is this manager's own child; if it dies, nothing comes back at its address.
    const reconnect = options.reconnect ?? false
    return await connect(address, { ...connectOptions, authkey, reconnect }, { authkey, onClose: stopDaemon, onShutdown: () => exited })
  } catch (err) {
    await stopDaemon()
    throw err
  }
}
