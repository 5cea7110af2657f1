// The in-process link of localManager(): frames go straight to a ManagerCore in this process —
// still encoded and decoded, so values are copied exactly as over a socket.

import { CloseCode, PROTOCOL_VERSION, joinBatch, type Hello, type WelcomeInfo } from '../../protocol'
import type { ManagerCore } from '../../server/core/manager-core'
import type { Peer, Session } from '../../server/core/session'
import type { Link, LinkHandlers } from './link'

export class LoopbackLink implements Link {
  readonly welcome: WelcomeInfo
  readonly #core: ManagerCore
  readonly #session: Session
  #handlers: LinkHandlers | undefined
  #outbox: Buffer[] = []
  #scheduled = false
  #closed = false

  constructor(core: ManagerCore, hello: Hello) {
    this.#core = core
    const peer: Peer = { send: (message) => this.#fromServer(message) }
    const { session } = core.openSession(hello, peer, 'in-process')
    this.#session = session
    this.welcome = {
      sessionId: session.id,
      resumeToken: session.resumeToken,
      resumed: false,
      address: core.address,
      version: PROTOCOL_VERSION,
      limits: { maxFrameBytes: Infinity, maxInFlight: Infinity, heartbeatMs: 0, sessionGraceMs: 0 },
      bootId: core.table.bootId,
      lastReqId: 0,
    }
  }

  bind(handlers: LinkHandlers): void {
    this.#handlers = handlers
  }

  send(frame: Uint8Array): void {
    if (this.#closed) return
    const outcome = this.#core.receive(this.#session, frame)
    if (outcome !== null) void this.close(outcome.close, outcome.reason)
  }

  close(code: number, reason: string): Promise<void> {
    if (this.#closed) return Promise.resolve()
    this.#closed = true
    this.#core.sessions.end(this.#session, code === CloseCode.NORMAL ? 'closed by the client' : reason)
    queueMicrotask(() => this.#handlers?.closed(code, reason))
    return Promise.resolve()
  }

  #fromServer(message: Buffer): void {
    if (this.#closed) return
    this.#outbox.push(message)
    if (this.#scheduled) return
    this.#scheduled = true
    queueMicrotask(() => {
      this.#scheduled = false
      const outbox = this.#outbox
      this.#outbox = []
      if (!this.#closed && outbox.length > 0) this.#handlers?.frame(joinBatch(outbox))
    })
  }
}
