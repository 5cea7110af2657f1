#!/usr/bin/env node
// The `managerd` command: one subcommand per file in commands/. `managerd [serve]` runs the
// daemon; status, inspect and keygen are tools. Bad flags or values exit 2 with one line on
// stderr; a daemon that cannot be reached (status, inspect) exits 1.

import { ConfigError, ManagerError } from '../../protocol'
import { wantsHelp, type Command } from './commands/args'
import { inspect } from './commands/inspect'
import { keygen } from './commands/keygen'
import { serve } from './commands/serve'
import { UnreachableError } from './commands/session-client'
import { status } from './commands/status'

export type { ReadyMessage } from './commands/serve'

const USAGE = `Usage: managerd <command> [options]

Commands:
  serve     run the daemon (the default command)
  status    is a running daemon healthy, and how busy is it: managerd status --url ws://HOST:PORT
  inspect   who holds which object and which lock: managerd inspect --url ws://HOST:PORT [--json]
  keygen    write a new random key (authkey or metrics token): managerd keygen --out FILE

Run 'managerd <command> --help' for the options of a command.`

const COMMANDS: Record<string, Command> = { serve, status, inspect, keygen }

/** `--help` anywhere among a command's arguments prints its usage instead of running it. */
function run(command: Command, argv: string[]): number | Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(command.usage() + '\n')
    return 0
  }
  return command.run(argv)
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(USAGE + '\n')
    return 0
  }
  if (first !== undefined && Object.hasOwn(COMMANDS, first)) return run(COMMANDS[first]!, rest)
  if (first !== undefined && !first.startsWith('-')) throw new ConfigError(`unknown command '${first}' (try managerd --help)`)
  return run(serve, argv)
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      if (err instanceof ConfigError) {
        process.stderr.write(`managerd: ${err.message}\n`)
        process.exit(2)
      }
      if (err instanceof UnreachableError || err instanceof ManagerError) {
        process.stderr.write(`managerd: ${err.message}\n`)
        process.exit(1)
      }
      process.stderr.write(`managerd: ${(err as Error)?.stack ?? String(err)}\n`)
      process.exit(1)
    },
  )
}
