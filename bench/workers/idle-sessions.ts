// Opens N idle sessions on a daemon (for the per-session memory row) and holds them until told.

import { connect, type Manager } from '../../client'

async function main(): Promise<void> {
  const [address, countArg] = process.argv.slice(2)
  const count = Number(countArg)
  const managers: Manager[] = []
  // A few handshakes at a time: a burst of thousands would only measure the accept queue.
  const parallel = 50
  for (let i = 0; i < count; i += parallel) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(parallel, count - i) }, () => connect(address!, { authkey: process.env.MANAGERD_AUTHKEY ?? 'bench', heartbeatMs: 0 })),
    )
    managers.push(...batch)
  }
  process.send!({ ready: true, sessions: managers.length })
  await new Promise<void>((resolve) => process.once('message', () => resolve()))
  await Promise.all(managers.map((m) => m.close()))
  process.send!({ closed: true })
  process.disconnect()
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
