// Finding the key a client uses when none is passed: MANAGERD_AUTHKEY, then the file named by
// MANAGERD_AUTHKEY_FILE, then the daemon's default file (~/.managerd/authkey).

import { readFileSync } from 'node:fs'
import { AuthenticationError, defaultAuthkeyPath, parseAuthkeyFile, type Authkey } from '../protocol'

export function findAuthkey(given: Authkey | undefined, env: NodeJS.ProcessEnv = process.env): Authkey {
  if (given !== undefined) return given
  if (env.MANAGERD_AUTHKEY !== undefined && env.MANAGERD_AUTHKEY !== '') return env.MANAGERD_AUTHKEY
  const path = env.MANAGERD_AUTHKEY_FILE !== undefined && env.MANAGERD_AUTHKEY_FILE !== '' ? env.MANAGERD_AUTHKEY_FILE : defaultAuthkeyPath(env)
  try {
    const key = parseAuthkeyFile(readFileSync(path, 'utf8'))
    if (key.length > 0) return key
  } catch {
    // reported below
  }
  throw new AuthenticationError(
    `no authkey given and none readable at ${path}: pass { authkey }, or set MANAGERD_AUTHKEY or MANAGERD_AUTHKEY_FILE`,
  )
}
