// localManager(): the same Manager API on an in-process core with no sockets
// (multiprocessing.dummy). Values still go through the codec, so copy semantics are the same.

import { ManagerCore } from '../server/core/manager-core'
import type { Registry } from '../server/core/registry'
import { loadTypesModule } from '../server/daemon/types-loader'
import { registerBuiltins } from '../server/types'
import { Connection } from './connection'
import { LoopbackLink } from './links/loopback-link'
import { Manager } from './manager'

export interface LocalManagerOptions {
  /** Modules registering user types, as the daemon's `--types`. */
  types?: string[]
  /** Register types in code. */
  registerTypes?: (registry: Registry) => void | Promise<void>
  name?: string
  callTimeoutMs?: number
}

export async function localManager(options: LocalManagerOptions = {}): Promise<Manager> {
  const core = new ManagerCore({ address: 'local://managerd', sessionGraceMs: 0 })
  registerBuiltins(core.registry)
  for (const t of options.types ?? []) await loadTypesModule(t, core.registry)
  if (options.registerTypes !== undefined) await options.registerTypes(core.registry)
  const link = new LoopbackLink(core, options.name !== undefined ? { name: options.name } : {})
  const conn = new Connection(link, options.callTimeoutMs !== undefined ? { callTimeoutMs: options.callTimeoutMs } : {})
  const manager = new Manager(conn, {
    onClose: async () => core.close('local manager closed'),
  })
  core.onShutdownRequest = () => void manager.close()
  return manager
}
