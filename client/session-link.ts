// The link lifecycle of one client session: the current link and, when it drops, reconnecting
// with backoff and jitter, resuming the session with its resume token (hello.resume). It decides
// which closes are final and which are worth another attempt; the connection (RPC) hears of it
// through four handlers and never has a link change under a call it is sending.

import { CloseCode, ConnectionLostError, type Hello, type WelcomeInfo } from '../protocol'
import type { Link } from './links/link'
import { backoffDelay, type ReconnectPolicy } from './reconnect'

/** Opens a new link to the daemon with this hello (a dial is bounded by its handshake timeout). */
export type Dial = (hello: Hello) => Promise<Link>

/** The link dropped; the client is reconnecting (`close` is for the final end only). */
export interface DisconnectInfo {
  /** What calls in flight were rejected with (ConnectionLostError). */
  error: Error
  /** The WebSocket close code: 1006 when the socket just died, 1001 after a GOAWAY. */
  code: number
  reason: string
}

/** A link is up again. */
export interface ReconnectInfo {
  sessionId: string
  /** True: the same session (references, locks held). False: a new one (`sessionLost` came first). */
  resumed: boolean
  /** Dial attempts it took. */
  attempts: number
  /** From the drop to the new link. */
  downtimeMs: number
}

/** The daemon did not resume the session: its references, locks and parked calls are gone. */
export interface SessionLostInfo {
  previousSessionId: string
  sessionId: string
  reason: string
  error: Error
}

export interface SessionLinkHandlers {
  frame(data: Uint8Array): void
  /** The link dropped and a reconnect begins. Returns the ids of the requests left without a reply. */
  down(error: Error, code: number, reason: string): number[]
  /** A new link is up; `previous` is the welcome of the one before (the same session if resumed). */
  up(welcome: WelcomeInfo, previous: WelcomeInfo, attempts: number, downtimeMs: number): void
  /** No link any more, for good. */
  closed(error: Error): void
}

/** Closes after which reconnecting is pointless: the daemon ended the session on purpose. */
const FINAL_CLOSES: ReadonlySet<number> = new Set([
  CloseCode.NORMAL,
  CloseCode.PROTOCOL_ERROR,
  CloseCode.UNSUPPORTED_DATA,
  CloseCode.INVALID_PAYLOAD,
  CloseCode.MESSAGE_TOO_BIG,
  CloseCode.AUTH_FAILED,
  CloseCode.SESSION_ENDED,
  CloseCode.SLOW_CONSUMER,
])

/** A link that lived shorter than this does not reset the backoff (a daemon dropping clients in a loop). */
const SHORT_LIVED_MS = 1000

export interface SessionLinkOptions {
  /** The hello of the first link (the name); a resume adds the token and the lost request ids. */
  hello: Hello
  /** Opens a new link; without it (in-process links) every close is final. */
  dial?: Dial
  /** Null: reconnecting is off. */
  policy: ReconnectPolicy | null
}

export class SessionLink {
  #link: Link | null
  #welcome: WelcomeInfo
  #handlers: SessionLinkHandlers | undefined
  readonly #options: SessionLinkOptions
  /** When set, the next close is the end, with this error (the client asked the daemon to stop). */
  #final: Error | null = null
  #ended = false
  #goaway = false
  #upSince = Date.now()
  /** Consecutive reconnects whose link died young: the backoff goes on from there. */
  #streak = 0
  #timer: NodeJS.Timeout | undefined
  #wake: (() => void) | undefined

  constructor(link: Link, options: SessionLinkOptions) {
    this.#link = link
    this.#welcome = link.welcome
    this.#options = options
  }

  /** The welcome of the current link (or of the last one, while reconnecting). */
  get welcome(): WelcomeInfo {
    return this.#welcome
  }

  bind(handlers: SessionLinkHandlers): void {
    this.#handlers = handlers
    if (this.#link !== null) this.#listen(this.#link)
  }

  send(frame: Uint8Array): void {
    this.#link?.send(frame)
  }

  /** The daemon is draining: when its close comes, wait before the first attempt. */
  goaway(): void {
    this.#goaway = true
  }

  /** The next close is expected (shutdown() was called) and ends the session for good. */
  expectClose(err: Error): void {
    this.#final = err
  }

  /** Close for good (a reconnect in progress stops); resolves once the link is closed. */
  close(code: number, reason: string): Promise<void> {
    if (this.#ended) return Promise.resolve()
    this.#ended = true
    clearTimeout(this.#timer)
    this.#wake?.()
    const link = this.#link
    this.#link = null
    return link?.close(code, reason) ?? Promise.resolve()
  }

  /** Frames and the close of `link` go to the handlers (frames that came early are delivered now). */
  #listen(link: Link): void {
    const handlers = this.#handlers!
    link.bind({ frame: (data) => handlers.frame(data), closed: (code, reason) => this.#onClosed(link, code, reason) })
  }

  #onClosed(link: Link, code: number, reason: string): void {
    if (link !== this.#link || this.#ended) return
    this.#link = null
    const handlers = this.#handlers!
    if (this.#final !== null) {
      this.#ended = true
      return handlers.closed(this.#final)
    }
    const error = new ConnectionLostError(`the connection to ${this.#welcome.address} was lost (${code}${reason ? ' ' + reason : ''})`)
    const { policy, dial } = this.#options
    if (policy === null || dial === undefined || FINAL_CLOSES.has(code)) {
      this.#ended = true
      return handlers.closed(error)
    }
    const lost = handlers.down(error, code, reason)
    void this.#reconnect(policy, dial, lost)
  }

  async #reconnect(policy: ReconnectPolicy, dial: Dial, lost: number[]): Promise<void> {
    const downAt = Date.now()
    this.#streak = downAt - this.#upSince < SHORT_LIVED_MS ? this.#streak + 1 : 0
    let attempts = 0
    let lastError: unknown
    while (!this.#ended) {
      const elapsed = Date.now() - downAt
      if (attempts >= policy.maxAttempts || elapsed >= policy.giveUpAfterMs) return this.#giveUp(attempts, elapsed, lastError)
      await this.#sleep(Math.min(backoffDelay(policy, this.#streak + attempts, this.#goaway), policy.giveUpAfterMs - elapsed))
      if (this.#ended) return
      attempts++
      let link: Link
      try {
        link = await dial({ ...this.#options.hello, resume: this.#welcome.resumeToken, lost })
      } catch (err) {
        lastError = err
        continue
      }
      if (this.#ended) return void link.close(CloseCode.NORMAL, 'bye') // closed meanwhile: end the session now
      const previous = this.#welcome
      this.#goaway = false
      this.#link = link
      this.#welcome = link.welcome
      this.#upSince = Date.now()
      // The connection hears it is up before the link can deliver anything (a frame, its close);
      // the link is listened to even if an event listener throws.
      try {
        this.#handlers!.up(link.welcome, previous, attempts, Date.now() - downAt)
      } finally {
        this.#listen(link)
      }
      return
    }
  }

  #giveUp(attempts: number, elapsed: number, lastError: unknown): void {
    this.#ended = true
    const why = lastError instanceof Error ? `: ${lastError.message}` : ''
    const err = new ConnectionLostError(
      `gave up reconnecting to ${this.#welcome.address} after ${attempts} attempts in ${elapsed} ms${why}`,
      lastError !== undefined ? { cause: lastError } : undefined,
    )
    this.#handlers!.closed(err)
  }

  #sleep(ms: number): Promise<void> {
    if (!(ms > 0)) return Promise.resolve()
    return new Promise((resolve) => {
      this.#wake = resolve
      // Not unref'd: a client that is reconnecting is alive, as a connected one is.
      this.#timer = setTimeout(resolve, ms)
    })
  }
}
