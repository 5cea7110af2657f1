// Finding the daemon's authkey: MANAGERD_AUTHKEY, then --authkey-file, then the default file —
// generated (mode 0600) on first start so a newcomer needs no setup.

import { randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Logger } from 'pino'
import { ConfigError, defaultAuthkeyPath, parseAuthkeyFile } from '../../protocol'

export interface AuthkeySource {
  authkey?: string | undefined
  authkeyFile?: string | undefined
  requireAuthkey?: boolean
}

/** A new random key as text: 32 random bytes, hex. */
export function generateAuthkey(): string {
  return randomBytes(32).toString('hex')
}

/** Write `key` to `path` with mode 0600, creating the folder (0700) if needed. */
export function writeAuthkeyFile(path: string, key: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  writeFileSync(path, key + '\n', { mode: 0o600, flag: 'w' })
  chmodSync(path, 0o600)
}

export function readAuthkeyFile(path: string, log?: Logger): string {
  let content: string
  try {
    content = readFileSync(path, 'utf8')
  } catch (err) {
    throw new ConfigError(`cannot read authkey file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  const key = parseAuthkeyFile(content)
  if (key.length === 0) throw new ConfigError(`authkey file ${path} is empty`)
  try {
    // Only a key file of our own can be fixed by chmod; a mounted secret owned by someone else
    // (docker run -v, compose file secrets) must be readable by us and is not warned about.
    const st = statSync(path)
    const ours = typeof process.getuid !== 'function' || st.uid === process.getuid()
    if (ours && (st.mode & 0o077) !== 0) log?.warn({ path }, 'authkey file is readable by group or others; chmod 600 it')
  } catch {
    // a secret mounted read-only may not stat the same way; the key was read, that is enough
  }
  return key
}

/** The key the daemon uses, and where it came from (for the log; never the key itself). */
export function resolveAuthkey(source: AuthkeySource, log: Logger, env: NodeJS.ProcessEnv = process.env): { key: string; origin: string } {
  if (source.authkey !== undefined) return { key: source.authkey, origin: 'MANAGERD_AUTHKEY' }
  if (source.authkeyFile !== undefined) return { key: readAuthkeyFile(source.authkeyFile, log), origin: source.authkeyFile }
  if (source.requireAuthkey === true) {
    throw new ConfigError('no authkey configured: set MANAGERD_AUTHKEY_FILE (a mounted secret) or MANAGERD_AUTHKEY')
  }
  const path = defaultAuthkeyPath(env)
  try {
    return { key: readAuthkeyFile(path, log), origin: path }
  } catch (err) {
    if (!String((err as Error).message).includes('ENOENT')) throw err
  }
  writeAuthkeyFile(path, generateAuthkey())
  log.info({ path }, 'generated a new authkey')
  return { key: readAuthkeyFile(path, log), origin: path }
}
