#!/usr/bin/env node
// The `managerd` command: `managerd [serve] [options]` runs the daemon; `managerd keygen`
// writes a key. Bad flags or values exit 2 with one line on stderr.

import { ConfigError } from '../../protocol'
import { generateAuthkey, writeAuthkeyFile } from './authkey-file'
import { daemonUsage, parseDaemonConfig } from './config'
import { Daemon } from './daemon'

const USAGE = `Usage: managerd <command> [options]

Commands:
  serve     run the daemon (the default command)
  keygen    write a new random authkey: managerd keygen --out FILE

Run 'managerd <command> --help' for the options of a command.`

/** Message a parent process (startManager) gets once the daemon listens. */
export interface ReadyMessage {
  type: 'managerd.ready'
  address: string
  port: number
  pid: number
}

async function serve(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(daemonUsage() + '\n')
    return 0
  }
  const config = parseDaemonConfig(argv)
  const daemon = await Daemon.start(config)
  let signals = 0
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++signals > 1) {
      daemon.log.warn({ signal }, 'second signal: exiting now')
      process.exit(1)
    }
    daemon.log.info({ signal }, 'signal received')
    void daemon.stop(`${signal} received`)
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
  if (typeof process.send === 'function') {
    // Started by startManager(): report the address, and stop when the parent goes away.
    const ready: ReadyMessage = { type: 'managerd.ready', address: daemon.address, port: daemon.port, pid: process.pid }
    process.send(ready)
    process.on('disconnect', () => void daemon.stop('parent process went away'))
  }
  await daemon.stopped
  return 0
}

function keygen(argv: string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write('Usage: managerd keygen --out FILE\n\nWrites 32 random bytes, hex-encoded, to FILE with mode 0600.\n')
    return 0
  }
  const i = argv.indexOf('--out')
  const out = i >= 0 ? argv[i + 1] : undefined
  if (out === undefined || out.startsWith('--') || argv.length !== 2) throw new ConfigError('keygen needs exactly --out FILE')
  writeAuthkeyFile(out, generateAuthkey())
  process.stdout.write(`wrote a new authkey to ${out}\n`)
  return 0
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(USAGE + '\n')
    return 0
  }
  if (first === 'serve') return serve(rest)
  if (first === 'keygen') return keygen(rest)
  if (first !== undefined && !first.startsWith('-')) throw new ConfigError(`unknown command '${first}' (try managerd --help)`)
  return serve(argv)
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      if (err instanceof ConfigError) {
        process.stderr.write(`managerd: ${err.message}\n`)
        process.exit(2)
      }
      process.stderr.write(`managerd: ${(err as Error)?.stack ?? String(err)}\n`)
      process.exit(1)
    },
  )
}
