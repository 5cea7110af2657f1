// `managerd keygen --out FILE`: a new random key (32 bytes, hex) written with mode 0600. Serves
// for the authkey and for the metrics token alike.

import { ConfigError } from '../../../protocol'
import { generateAuthkey, writeAuthkeyFile } from '../authkey-file'
import { parseFlags, type Command } from './args'

const HELP = `Usage: managerd keygen --out FILE

Writes 32 random bytes, hex-encoded, to FILE with mode 0600 (creating its folder, mode 0700).
Use it for the authkey (--authkey-file) or for the metrics token (--metrics-token-file).`

export const keygen: Command = { usage: () => HELP, run: runKeygen }

function runKeygen(argv: string[]): number {
  const { out } = parseFlags('keygen', argv, { out: { type: 'string' } })
  if (out === undefined || out === '' || out.startsWith('--')) throw new ConfigError('keygen needs exactly --out FILE')
  writeAuthkeyFile(out, generateAuthkey())
  process.stdout.write(`wrote a new key to ${out}\n`)
  return 0
}
