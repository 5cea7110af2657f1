// Flag parsing shared by the subcommands: strict (an unknown flag is an error), whole numbers
// checked, and every problem a ConfigError — one line on stderr and exit code 2.

import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { ConfigError, DEFAULT_PORT } from '../../../protocol'
import { readAuthkeyFile } from '../authkey-file'

export type FlagSpec = { type: 'string'; short?: string } | { type: 'boolean'; short?: string }
export type Flags = Record<string, FlagSpec>
export type Parsed<F extends Flags> = { [K in keyof F]?: F[K] extends { type: 'boolean' } ? boolean : string }

export function parseFlags<F extends Flags>(command: string, argv: readonly string[], flags: F): Parsed<F> {
  try {
    return parseArgs({ args: [...argv], options: flags, strict: true, allowPositionals: false }).values as Parsed<F>
  } catch (err) {
    throw new ConfigError(`${command}: ${(err as Error).message.split('\n')[0]!}`)
  }
}

/** A subcommand: its --help text, and what it does (cli.ts answers --help before running it). */
export interface Command {
  usage(): string
  run(argv: string[]): number | Promise<number>
}

export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h')
}

export function wholeNumber(what: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${what}: expected a whole number, got ${JSON.stringify(raw)}`)
  const n = Number(raw)
  if (n < min || n > max) throw new ConfigError(`${what}: must be between ${min} and ${max}, got ${n}`)
  return n
}

/** The flags every command that talks to a running daemon takes. */
export const CLIENT_FLAGS = {
  url: { type: 'string' },
  'authkey-file': { type: 'string' },
  ca: { type: 'string' },
  'timeout-ms': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Flags

export const CLIENT_FLAGS_HELP = `  --url URL            the daemon (default ws://127.0.0.1:${DEFAULT_PORT}) [MANAGERD_URL]
  --authkey-file FILE  the key (default: MANAGERD_AUTHKEY, MANAGERD_AUTHKEY_FILE, ~/.managerd/authkey)
  --ca FILE            extra CA certificate (PEM) to trust for wss://
  --timeout-ms N       give up connecting or waiting for an answer after N ms (default 5000)
  --json               print JSON instead of tables`

export interface ClientTarget {
  /** ws:// or wss:// */
  url: string
  /** http:// or https:// on the same port, for /healthz and /readyz */
  httpUrl: string
  authkey: string | undefined
  ca: Buffer | undefined
  timeoutMs: number
  json: boolean
}

export function clientTarget(command: string, values: Parsed<typeof CLIENT_FLAGS>, env: NodeJS.ProcessEnv = process.env): ClientTarget {
  const raw = values.url ?? (env.MANAGERD_URL !== undefined && env.MANAGERD_URL !== '' ? env.MANAGERD_URL : `ws://127.0.0.1:${DEFAULT_PORT}`)
  const m = /^(wss?|https?):\/\/([^/\s]+)\/?(v1)?$/.exec(raw.trim())
  if (m === null) throw new ConfigError(`${command}: --url must look like ws://HOST:PORT, got ${JSON.stringify(raw)}`)
  const secure = m[1] === 'wss' || m[1] === 'https'
  let ca: Buffer | undefined
  if (values.ca !== undefined) {
    try {
      ca = readFileSync(values.ca)
    } catch (err) {
      throw new ConfigError(`${command}: cannot read --ca ${values.ca}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
    }
  }
  return {
    url: `${secure ? 'wss' : 'ws'}://${m[2]!}`,
    httpUrl: `${secure ? 'https' : 'http'}://${m[2]!}`,
    authkey: values['authkey-file'] !== undefined ? readAuthkeyFile(values['authkey-file']) : undefined,
    ca,
    timeoutMs: wholeNumber('--timeout-ms', values['timeout-ms'], 5000, 1, 600_000),
    json: values.json === true,
  }
}
