// Type tests for the session events and the reconnect option: checked by `npm run typecheck`
// (tsc --noEmit), never run. Each @ts-expect-error line must fail to compile.
import { connect, type DisconnectInfo, type Manager, type ReconnectInfo, type SessionLostInfo } from '../../client'

declare const m: Manager
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
function assertType<T extends true>(): T | undefined {
  return undefined
}

export async function typeTests(): Promise<void> {
  m.on('disconnect', (info) => assertType<Equal<typeof info, DisconnectInfo>>())
  m.on('reconnect', (info) => {
    assertType<Equal<typeof info, ReconnectInfo>>()
    const resumed: boolean = info.resumed
    void resumed
  })
  m.on('sessionLost', (info) => assertType<Equal<typeof info, SessionLostInfo>>())
  m.on('close', (err) => assertType<Equal<typeof err, Error>>())
  // @ts-expect-error: no such event
  m.on('reconnected', () => {})
  // @ts-expect-error: reconnect's payload is an info object, not a session id
  m.on('reconnect', (id: string) => void id)
  const connected: boolean = m.connected
  void connected

  await connect('ws://h:1', { reconnect: false })
  await connect('ws://h:1', { reconnect: { initialDelayMs: 10, maxDelayMs: 100, maxAttempts: 5, giveUpAfterMs: 60_000 } })
  // @ts-expect-error: a misspelt option
  await connect('ws://h:1', { reconnect: { retries: 3 } })
}
