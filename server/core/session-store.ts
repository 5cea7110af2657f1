// Sessions by id and by resume token: opening, resuming within the grace period, and ending.

import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import type { Hello } from '../../protocol'
import type { ObjectTable } from './object-table'
import { Session, type Peer } from './session'

export interface SessionStoreOptions {
  /** How long a session whose connection dropped waits to be resumed before it ends. */
  graceMs: number
  log: Logger
  table: ObjectTable
}

export type SessionEventKind = 'started' | 'resumed' | 'detached' | 'ended'

export class SessionStore {
  readonly #byId = new Map<string, Session>()
  readonly #byResumeToken = new Map<string, Session>()
  readonly #options: SessionStoreOptions
  /** Told when a session starts, resumes, loses its connection or ends (the daemon's event log). */
  onEvent: ((event: SessionEventKind, session: Session, reason?: string) => void) | undefined

  constructor(options: SessionStoreOptions) {
    this.#options = options
  }

  /** How long a detached session waits to be resumed. */
  get graceMs(): number {
    return this.#options.graceMs
  }

  get size(): number {
    return this.#byId.size
  }

  values(): IterableIterator<Session> {
    return this.#byId.values()
  }

  get(id: string): Session | undefined {
    return this.#byId.get(id)
  }

  /** Whether `resumeToken` names a session a connection could take over now. */
  resumable(resumeToken: unknown): boolean {
    return typeof resumeToken === 'string' && this.#byResumeToken.get(resumeToken)?.active === true
  }

  /**
   * A new session, or the one `hello.resume` names if it is still within its grace period.
   * `previousPeer` is the connection the resumed session had, if it still had one.
   */
  open(hello: Hello, peer: Peer, remoteAddress: string): { session: Session; resumed: boolean; previousPeer: Peer | null } {
    if (typeof hello.resume === 'string') {
      const session = this.#byResumeToken.get(hello.resume)
      if (session !== undefined && session.state !== 'ended') {
        const previousPeer = session.peer
        session.attach(peer, remoteAddress)
        const released = this.#releaseLost(session, hello.lost)
        session.log.info({ remote: remoteAddress, takeover: previousPeer !== null, lostReplies: released }, 'session resumed')
        this.onEvent?.('resumed', session)
        return { session, resumed: true, previousPeer }
      }
    }
    const id = 's-' + randomBytes(9).toString('base64url')
    const resumeToken = randomBytes(24).toString('base64url')
    const name = typeof hello.name === 'string' ? hello.name.slice(0, 200) : undefined
    const log = this.#options.log.child({ session: id, client: name, remote: remoteAddress })
    const session = new Session(id, resumeToken, name, remoteAddress, peer, log, this.#options.table)
    this.#byId.set(id, session)
    this.#byResumeToken.set(resumeToken, session)
    log.info('session started')
    this.onEvent?.('started', session)
    return { session, resumed: false, previousPeer: null }
  }

  /** References counted by replies the client says it never got (hello.lost) are released. */
  #releaseLost(session: Session, lost: unknown): number {
    const log = session.deliveryLog
    if (log === null) return 0
    const ids = new Set<number>()
    if (Array.isArray(lost)) for (const id of lost) if (typeof id === 'number') ids.add(id)
    return log.settle(ids, (entry) => session.dropRef(entry))
  }

  /** The connection dropped without a goodbye: keep the session for the grace period. */
  detach(session: Session): void {
    if (session.state !== 'connected') return
    session.detach()
    const graceMs = this.#options.graceMs
    if (graceMs <= 0) return this.end(session, 'connection lost')
    this.onEvent?.('detached', session, 'connection lost')
    session.log.info({ graceMs }, 'connection lost; session kept for resume')
    session.graceTimer = setTimeout(() => this.end(session, 'not resumed within the grace period'), graceMs)
    session.graceTimer.unref()
  }

  end(session: Session, reason: string): void {
    if (session.state === 'ended') return
    const references = session.refs.size
    const holds = session.claims.size
    const parked = session.parked.size
    session.end()
    this.#byId.delete(session.id)
    this.#byResumeToken.delete(session.resumeToken)
    // What the end released: references dropped, locks and permits given back, parked calls cancelled.
    session.log.info({ reason, references, holds, parkedCalls: parked }, 'session ended')
    this.onEvent?.('ended', session, reason)
  }

  endAll(reason: string): void {
    for (const session of [...this.#byId.values()]) this.end(session, reason)
  }
}
