// currentCall(): what a shared type's method may know about the call it is serving — who called
// (the session, for lock ownership), which object it runs on, the holder through which it keeps
// references, and a signal for giving up a parked call. Valid in the synchronous part of a
// method: read what you need before the first `await` (like Python's threading.current_thread()).

import type { Logger } from 'pino'
import { NotExposedError, UnknownObjectError } from '../../protocol'
import { ObjectEntry, type SharedRef } from './object-entry'
import type { ObjectTable } from './object-table'
import type { Session } from './session'

/** The public view of a session. */
export interface SessionInfo {
  readonly id: string
  /** The name the client gave in its hello, if any. */
  readonly name: string | undefined
  readonly remoteAddress: string
  /** True until the session ends (closed, or not resumed within the grace period). */
  readonly active: boolean
  /** Run `listener` once when the session ends; returns a function that cancels it. */
  onEnd(listener: () => void): () => void
  /**
   * Record that this session holds `claim` (a lock, permits) until the returned function is
   * called, and run `onEnd` if the session ends first — to release what it held. debugInfo and
   * `managerd inspect` list a session's claims, so "who holds this lock?" has an answer.
   */
  claim(claim: Claim, onEnd: () => void): () => void
}

/**
 * Something a session holds in an object beyond a reference: a lock, semaphore permits, or
 * whatever a user type grants to one session at a time. The type that grants it keeps it.
 */
export interface Claim {
  /** The object that granted it. */
  readonly object: SharedRef
  /** What is held, in a word: 'lock', 'permits'. */
  readonly kind: string
  /** How much: a reentrant lock's depth, a number of permits. Read when asked, so it may be a getter. */
  readonly count: number
  /** Which task of the session holds it, for types that tell them apart (an RLock's owner label). */
  readonly label?: string | null
}

/**
 * How a container keeps references alive: `hold(value)` before storing a value, `drop(value)`
 * after removing one. Both walk the value (arrays, plain objects, Maps, Sets) for references.
 */
export interface Holder {
  hold(value: unknown): void
  drop(value: unknown): void
}

export interface CallContext {
  readonly session: SessionInfo
  /** The object the method runs on (or, during `create`, the one being created). */
  readonly target: SharedRef
  /** The holder of the target: keep it (e.g. in the constructor) to hold references later. */
  readonly holder: Holder
  /**
   * Aborted when the caller can no longer receive the reply: its connection dropped or its
   * session ended. A method that parks (waits) must stop waiting then.
   */
  readonly signal: AbortSignal
  /** The calling session's logger (session id, client name and address already bound). */
  readonly log: Logger
  /**
   * Make a new shared object of a registered type, held by the target as a container holds what
   * it stores: for types built from other shared objects (a Value and the Lock guarding it).
   * Return the ref from a method to hand the caller a proxy; `holder.drop(ref)` lets it go.
   * The type's `create` must be synchronous.
   */
  create(typeid: string, ...args: unknown[]): SharedRef
  /**
   * Call an exposed method of another shared object for the same caller (session, signal), as if
   * the client had called it; methodToTypeid does not apply. Returns what the method returns.
   */
  invoke(ref: SharedRef, method: string, ...args: unknown[]): unknown
}

/** What calls need of the manager core: the table, and making objects during a call. */
export interface CallHost {
  readonly table: ObjectTable
  /** A new entry of `typeid` made by synchronous create(...args), held by nobody yet. */
  createInCall(typeid: string, args: unknown[], session: Session): ObjectEntry
}

class EntryHolder implements Holder {
  constructor(
    readonly table: ObjectTable,
    readonly entry: ObjectEntry,
  ) {}
  hold(value: unknown): void {
    this.table.hold(this.entry, value)
  }
  drop(value: unknown): void {
    this.table.drop(this.entry, value)
  }
}

/** For containers built outside a call (not shared): they hold nothing, so nothing to count. */
const NO_HOLDER: Holder = { hold() {}, drop() {} }

class ActiveCall implements CallContext {
  session!: Session
  target!: ObjectEntry
  reqId = 0
  host!: CallHost

  get holder(): Holder {
    return new EntryHolder(this.host.table, this.target)
  }
  get signal(): AbortSignal {
    return this.session.signalFor(this.reqId)
  }
  get log(): Logger {
    return this.session.log
  }

  create(typeid: string, ...args: unknown[]): SharedRef {
    const { host, session, target, reqId } = this
    let entry: ObjectEntry
    try {
      entry = host.createInCall(typeid, args, session)
    } finally {
      // The new object's create ran as a call of its own: this call goes on where it was.
      enterCall(host, session, target, reqId)
    }
    host.table.hold(target, entry)
    return entry
  }

  invoke(ref: SharedRef, method: string, ...args: unknown[]): unknown {
    const { host, session, target, reqId } = this
    if (!(ref instanceof ObjectEntry) || !ref.alive) throw new UnknownObjectError(`no shared object with id '${ref.id}'`)
    const fn = ref.exposed.has(method) ? (ref.obj as Record<string, unknown>)[method] : undefined
    if (typeof fn !== 'function') throw new NotExposedError(`method '${method}' of ${ref.typeid} is not exposed`)
    enterCall(host, session, ref, reqId)
    try {
      return fn.apply(ref.obj, args)
    } finally {
      enterCall(host, session, target, reqId)
    }
  }
}

// One mutable context, filled in around each synchronous method invocation: no per-call allocation.
const active = new ActiveCall()
let inCall = false

/** The call being served. Throws outside a shared object's method (or after its first await). */
export function currentCall(): CallContext {
  if (!inCall) throw new Error('currentCall() is only valid in the synchronous part of a shared method')
  return active
}

/** The holder of the object being created or called; a no-op holder outside any call. */
export function currentHolder(): Holder {
  return inCall ? active.holder : NO_HOLDER
}

/** Make `currentCall()` describe this call until leaveCall(). Used by the dispatcher only. */
export function enterCall(host: CallHost, session: Session, target: ObjectEntry, reqId: number): void {
  active.host = host
  active.session = session
  active.target = target
  active.reqId = reqId
  inCall = true
}

export function leaveCall(): void {
  inCall = false
}
