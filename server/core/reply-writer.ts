// Turns call outcomes into encoded reply messages for a session. References inside a reply are
// counted for the receiving session only once the reply encoded, before it is sent, so an object
// can never be freed between the reply and the client's proxy (managers.py increfs afterwards).

import {
  Encoder,
  ReplyKind,
  Tag,
  UnserializableError,
  type ErrorPayload,
  type ProxyPayload,
  type TracebackPayload,
} from '../../protocol'
import { ObjectEntry } from './object-entry'
import type { Session } from './session'

export interface ReplyWriterOptions {
  /** The daemon's advertised address, put in every token. */
  address: string
  /** Send remote stacks in #ERROR and #TRACEBACK (off by default: stacks reveal paths). */
  sendErrorStacks: boolean
}

export class ReplyWriter {
  readonly #encoder: Encoder
  readonly #collected: ObjectEntry[] = []
  readonly #exposedLists = new WeakMap<ReadonlySet<string>, string[]>()
  readonly #options: ReplyWriterOptions
  /** Counts replies by kind (metrics). */
  readonly counts: Record<ReplyKind, number> = {
    '#RETURN': 0,
    '#ERROR': 0,
    '#TRACEBACK': 0,
    '#PROXY': 0,
    '#UNSERIALIZABLE': 0,
  }

  constructor(options: ReplyWriterOptions) {
    this.#options = options
    this.#encoder = new Encoder({
      cls: ObjectEntry,
      toWire: (entry: ObjectEntry) => {
        if (!entry.alive) throw new UnserializableError(`shared object ${entry.id} was freed`)
        return [entry.typeid, entry.id]
      },
    })
    this.#encoder.onReference = (ref) => this.#collected.push(ref as ObjectEntry)
  }

  get address(): string {
    return this.#options.address
  }

  /** The address is known only once the daemon listens (port 0 picks one). */
  setAddress(address: string): void {
    this.#options.address = address
  }

  /** #RETURN, or #UNSERIALIZABLE when the value cannot be encoded (its side effects stand). */
  value(session: Session, reqId: number, value: unknown): void {
    const peer = session.peer
    if (peer === null) return
    let bytes: Buffer
    this.#clearCollected()
    try {
      bytes = this.#encoder.encode3(reqId, ReplyKind.RETURN, value)
    } catch (err) {
      this.#clearCollected()
      const repr = err instanceof Error ? err.message : String(err)
      this.counts[ReplyKind.UNSERIALIZABLE]++
      peer.send(this.#encoder.encode3(reqId, ReplyKind.UNSERIALIZABLE, { repr }))
      return
    }
    if (this.#collected.length > 0) this.#countReferences(session, reqId)
    this.counts[ReplyKind.RETURN]++
    peer.send(bytes)
  }

  /** #PROXY for `entry`; counts one reference for the session first. */
  proxy(session: Session, reqId: number, entry: ObjectEntry): void {
    const peer = session.peer
    if (peer === null) return
    session.addRef(entry)
    session.noteSent(reqId, entry)
    const payload: ProxyPayload = {
      token: { typeid: entry.typeid, address: this.#options.address, id: entry.id },
      exposed: this.exposedList(entry.exposed),
    }
    this.counts[ReplyKind.PROXY]++
    peer.send(this.#encoder.encode3(reqId, ReplyKind.PROXY, payload))
  }

  /** #ERROR: the referent's own code threw or rejected. */
  error(session: Session, reqId: number, thrown: unknown): void {
    const peer = session.peer
    if (peer === null) return
    const payload = this.errorPayload(thrown)
    this.counts[ReplyKind.ERROR]++
    let bytes: Buffer
    try {
      this.#clearCollected()
      bytes = this.#encoder.encode3(reqId, ReplyKind.ERROR, payload)
      if (this.#collected.length > 0) this.#countReferences(session, reqId)
    } catch {
      // The error's `data` could not be encoded: send the rest.
      delete payload.data
      bytes = this.#encoder.encode3(reqId, ReplyKind.ERROR, payload)
    }
    peer.send(bytes)
  }

  /** #TRACEBACK: the daemon could not dispatch the call. */
  traceback(session: Session, reqId: number, err: unknown): void {
    const peer = session.peer
    if (peer === null) return
    const e = err instanceof Error ? err : new Error(String(err))
    const payload: TracebackPayload = {
      name: e.name,
      message: e.message,
      trace: this.#options.sendErrorStacks && e.stack !== undefined ? e.stack : `${e.name}: ${e.message}`,
    }
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') payload.code = code
    this.counts[ReplyKind.TRACEBACK]++
    peer.send(this.#encoder.encode3(reqId, ReplyKind.TRACEBACK, payload))
  }

  errorPayload(thrown: unknown): ErrorPayload {
    if (!(thrown instanceof Error)) return { name: 'Error', message: typeof thrown === 'string' ? thrown : String(thrown) }
    const payload: ErrorPayload = { name: thrown.name, message: thrown.message }
    const { code, data } = thrown as { code?: unknown; data?: unknown }
    if (typeof code === 'string') payload.code = code
    if (data !== undefined) payload.data = data
    if (this.#options.sendErrorStacks && thrown.stack !== undefined) payload.stack = thrown.stack
    return payload
  }

  /**
   * The #PONG echoing a #PING's payload, or null when the payload cannot be echoed: one that
   * holds references (live ones would hand the client proxies no reference was counted for;
   * dangling ones cannot be encoded) or anything else the encoder refuses.
   */
  pong(payload: unknown): Buffer | null {
    this.#clearCollected()
    let bytes: Buffer | null
    try {
      bytes = this.#encoder.encode([Tag.PONG, payload])
    } catch {
      bytes = null
    }
    const heldReferences = this.#collected.length > 0
    this.#clearCollected()
    return heldReferences ? null : bytes
  }

  /** Encode a plain control message (server-initiated frames). */
  control(message: unknown[]): Buffer {
    return this.#encoder.encode(message)
  }

  exposedList(exposed: ReadonlySet<string>): string[] {
    let list = this.#exposedLists.get(exposed)
    if (list === undefined) {
      list = [...exposed]
      this.#exposedLists.set(exposed, list)
    }
    return list
  }

  #countReferences(session: Session, reqId: number): void {
    const refs = this.#collected
    for (let i = 0; i < refs.length; i++) {
      session.addRef(refs[i]!)
      session.noteSent(reqId, refs[i]!)
    }
    this.#clearCollected()
  }

  /**
   * The references the encoder met, emptied after each reply so the next starts clean. Checked
   * first: it is empty for almost every reply, and setting an array's length is a runtime call.
   */
  #clearCollected(): void {
    if (this.#collected.length !== 0) this.#collected.length = 0
  }
}
