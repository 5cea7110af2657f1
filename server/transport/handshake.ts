// The daemon's half of the handshake once the client's #ANSWER is in: when it is checked (the
// auth throttle may hold it), whether it proves the key, whether a session may open (the session
// limit; a resume always may), and the #WELCOME that opens it.

import type { Logger } from 'pino'
import { PROTOCOL_VERSION, Tag, serverProof, type Limits, type WelcomeInfo } from '../../protocol'
import type { ManagerCore } from '../core/manager-core'
import type { Peer, Session } from '../core/session'
import { checkAnswer } from './answer'
import type { AuthThrottle } from './auth-throttle'
import type { TransportStats } from './stats'

export interface HandshakeOptions {
  core: ManagerCore
  authkey: Buffer
  throttle: AuthThrottle
  /** Most sessions (connected or awaiting resume); a new one past it is closed with 4004. */
  maxSessions: number
  limits: Limits
  stats: TransportStats
  log: Logger
}

export type AnswerOutcome =
  /** The answer does not prove the key, or was throttled past the longest delay: #FAILURE, 4001. */
  | { kind: 'refused' }
  /** The key is right but the daemon has as many sessions as it allows: 4004. */
  | { kind: 'full' }
  /** A session is open (new or resumed): send `welcome`; close `previousPeer` if it still had one. */
  | { kind: 'welcome'; session: Session; welcome: unknown[]; previousPeer: Peer | null }

/**
 * Run `check(attempt)` when the throttle lets this address's answer be checked — now, or after
 * its delay — or `refuse()` at once when it would wait past the longest delay.
 */
export function admitAnswer(opts: HandshakeOptions, remote: string, check: (attempt: number) => void, refuse: () => void): void {
  const admission = opts.throttle.admit(remote)
  if (admission === null) {
    opts.log.warn({ remote }, 'authentication throttled: answer refused unchecked')
    return refuse()
  }
  const { waitMs, attempt } = admission
  if (waitMs === 0) return check(attempt)
  opts.log.debug({ remote, waitMs }, 'authentication throttled: answer held')
  setTimeout(() => check(attempt), waitMs).unref()
}

/** Check an admitted answer and, if it proves the key, open (or resume) the session for `peer`. */
export function acceptAnswer(opts: HandshakeOptions, data: Buffer, serverNonce: Buffer, attempt: number, peer: Peer, remote: string): AnswerOutcome {
  const answer = checkAnswer(data, opts.authkey, serverNonce)
  if (answer === null) {
    opts.stats.authFailures++
    const delay = opts.throttle.failure(remote, attempt)
    opts.log.warn({ remote, delayMs: delay }, 'authentication failed')
    return { kind: 'refused' }
  }
  opts.throttle.success(remote)
  const { hello } = answer
  const sessions = opts.core.sessions
  if (sessions.size >= opts.maxSessions && !sessions.resumable(hello.resume)) {
    opts.log.warn({ remote, maxSessions: opts.maxSessions }, 'session limit reached')
    return { kind: 'full' }
  }
  opts.stats.handshakes++
  const { session, resumed, previousPeer } = opts.core.openSession(hello, peer, remote)
  // Only pings can tell which replies arrived, so only with heartbeats is there a log to keep.
  if (opts.limits.heartbeatMs > 0) session.logsDelivery = true
  const info: WelcomeInfo = {
    sessionId: session.id,
    resumeToken: session.resumeToken,
    resumed,
    address: opts.core.address,
    version: PROTOCOL_VERSION,
    limits: opts.limits,
    bootId: opts.core.table.bootId,
    lastReqId: session.lastReqId,
  }
  return { kind: 'welcome', session, welcome: [Tag.WELCOME, serverProof(opts.authkey, answer.clientNonce), info], previousPeer }
}
