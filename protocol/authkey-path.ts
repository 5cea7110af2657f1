// Where a daemon without a configured key keeps the one it generates, and where local clients
// look for it: $MANAGERD_HOME/authkey, by default ~/.managerd/authkey.

import { homedir } from 'node:os'
import { join } from 'node:path'

export function defaultAuthkeyPath(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.MANAGERD_HOME
  return join(home !== undefined && home !== '' ? home : join(homedir(), '.managerd'), 'authkey')
}

/** A key file holds the key as text; surrounding whitespace (a trailing newline) is not part of it. */
export function parseAuthkeyFile(content: string): string {
  return content.trim()
}
