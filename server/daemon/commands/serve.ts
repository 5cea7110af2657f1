// `managerd serve` (the default command): run the daemon until a signal, shutdown() or, when a
// parent process started it (startManager), until that parent goes away.

import { daemonUsage, parseDaemonConfig } from '../config'
import { Daemon } from '../daemon'
import type { Command } from './args'

/** Message a parent process (startManager) gets once the daemon listens. */
export interface ReadyMessage {
  type: 'managerd.ready'
  address: string
  port: number
  pid: number
}

export const serve: Command = { usage: daemonUsage, run: runServe }

async function runServe(argv: string[]): Promise<number> {
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
