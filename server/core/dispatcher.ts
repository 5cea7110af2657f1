// Dispatch: one request in, exactly one reply out. Two allow-lists decide what can run — the
// server methods (server-methods.ts) and each object's exposed set — and nothing else: a name
// that is not on a list is refused, never looked up as a property.

import {
  BadArgumentsError,
  NotExposedError,
  ObjectMethod,
  UnknownExtension,
  UnknownMethodError,
  UnknownObjectError,
  isPlainObject,
} from '../../protocol'
import { enterCall, leaveCall } from './call-context'
import type { ManagerCore } from './manager-core'
import { DanglingRef, ObjectEntry, isSharedRef } from './object-entry'
import type { ReplyWriter } from './reply-writer'
import { ProxyResult, serverMethods, UserCodeError } from './server-methods'
import type { Session } from './session'

export class Dispatcher {
  readonly #core: ManagerCore
  readonly #replies: ReplyWriter
  /** Calls dispatched, by target kind, and how many of them parked (metrics). */
  readonly counts = { server: 0, object: 0, parked: 0 }
  /** Metrics: told when a parked call settles, with the performance.now() of its parking. */
  onParkedSettled: ((startedAt: number) => void) | null = null

  constructor(core: ManagerCore, replies: ReplyWriter) {
    this.#core = core
    this.#replies = replies
  }

  /**
   * Dispatch one well-formed request. `suspect` is set when the frame held dangling references
   * or unknown extensions, so only then are the arguments searched for them.
   */
  dispatch(session: Session, reqId: number, target: string | null, method: string, args: unknown[], suspect: boolean): void {
    if (suspect) {
      const problem = findBadArgument(args)
      if (problem !== undefined) return this.#replies.traceback(session, reqId, problem)
    }
    if (target === null) return this.#callServer(session, reqId, method, args)
    const entry = this.#core.table.get(target)
    if (entry === undefined) {
      return this.#replies.traceback(session, reqId, new UnknownObjectError(`no shared object with id '${target}'`))
    }
    this.counts.object++
    if (!entry.exposed.has(method)) {
      if (method === ObjectMethod.GETVALUE) return this.#getValue(session, reqId, entry)
      return this.#replies.traceback(
        session,
        reqId,
        new NotExposedError(`method '${method}' of ${entry.typeid} is not exposed`),
      )
    }
    const obj = entry.obj as Record<string, unknown>
    const fn = obj[method]
    if (typeof fn !== 'function') {
      return this.#replies.traceback(session, reqId, new NotExposedError(`'${method}' of ${entry.typeid} is not a method`))
    }
    let result: unknown
    enterCall(this.#core, session, entry, reqId)
    try {
      result = fn.apply(obj, args)
    } catch (err) {
      leaveCall()
      session.settled(reqId)
      return this.#replies.error(session, reqId, err)
    }
    leaveCall()
    if (result instanceof Promise) return this.#park(session, reqId, result, entry, method)
    session.settled(reqId)
    this.#finish(session, reqId, entry, method, result)
  }

  /**
   * A call answered later: an object method (`entry`) or a server method (`entry` null). Its reply
   * goes only to the connection that carried the request (see Session.generation); a reply for a
   * connection that is gone is dropped, freeing an object it would have handed over.
   */
  #park(session: Session, reqId: number, promise: Promise<unknown>, entry: ObjectEntry | null, method: string): void {
    session.parked.add(reqId)
    const generation = session.generation
    this.counts.parked++
    const timed = this.onParkedSettled
    const startedAt = timed === null ? 0 : performance.now()
    promise.then(
      (value) => {
        if (session.generation !== generation) return this.#dropStale(session, reqId, value instanceof ProxyResult ? value.entry : undefined)
        session.parked.delete(reqId)
        if (entry === null) {
          this.#serverResult(session, reqId, value)
        } else {
          session.settled(reqId)
          this.#finish(session, reqId, entry, method, value)
        }
        timed?.(startedAt)
      },
      (err: unknown) => {
        if (session.generation !== generation) return this.#dropStale(session, reqId)
        session.parked.delete(reqId)
        if (entry === null) {
          this.#serverFailure(session, reqId, err)
        } else {
          session.settled(reqId)
          this.#replies.error(session, reqId, err)
        }
        timed?.(startedAt)
      },
    )
  }

  /** The reply of a call from a connection that is gone: nobody waits for it any more. */
  #dropStale(session: Session, reqId: number, made?: ObjectEntry): void {
    if (made !== undefined) this.#core.table.freeIfUnheld(made)
    session.log.debug({ reqId }, 'reply to a call of an earlier connection dropped')
  }

  #finish(session: Session, reqId: number, entry: ObjectEntry, method: string, value: unknown): void {
    const typeid = entry.spec.methodToTypeid.size > 0 ? entry.spec.methodToTypeid.get(method) : undefined
    if (typeid === undefined) return this.#replies.value(session, reqId, value)
    if (session.peer === null) return // nobody to hand the new object to: do not create it
    let created: ObjectEntry
    try {
      created = this.#core.adopt(typeid, value)
    } catch (err) {
      return this.#replies.traceback(session, reqId, err)
    }
    this.#replies.proxy(session, reqId, created)
  }

  #getValue(session: Session, reqId: number, entry: ObjectEntry): void {
    let value: unknown
    try {
      value = entry.spec.getValue === undefined ? entry.obj : entry.spec.getValue(entry.obj)
    } catch (err) {
      return this.#replies.error(session, reqId, err)
    }
    this.#replies.value(session, reqId, value)
  }

  #callServer(session: Session, reqId: number, method: string, args: unknown[]): void {
    this.counts.server++
    const handler = Object.hasOwn(serverMethods, method) ? serverMethods[method as keyof typeof serverMethods] : undefined
    if (handler === undefined) {
      return this.#replies.traceback(session, reqId, new UnknownMethodError(`no server method '${method}'`))
    }
    let result: unknown
    try {
      result = handler(this.#core, session, args)
    } catch (err) {
      return this.#serverFailure(session, reqId, err)
    }
    if (result instanceof Promise) return this.#park(session, reqId, result, null, method)
    this.#serverResult(session, reqId, result)
  }

  #serverResult(session: Session, reqId: number, result: unknown): void {
    if (result instanceof ProxyResult) {
      if (session.peer === null) {
        // The client is gone; a fresh object nobody holds must not linger.
        this.#core.table.freeIfUnheld(result.entry)
        return
      }
      return this.#replies.proxy(session, reqId, result.entry)
    }
    this.#replies.value(session, reqId, result)
  }

  #serverFailure(session: Session, reqId: number, err: unknown): void {
    // A user's create() threw: that is the referent's code failing, so #ERROR as for a method.
    if (err instanceof UserCodeError) return this.#replies.error(session, reqId, err.cause)
    this.#replies.traceback(session, reqId, err)
  }
}

/** The first argument problem in a suspect frame: a reference to no object, an unknown extension. */
function findBadArgument(args: unknown[]): Error | undefined {
  const stack: unknown[] = [args]
  let seen = 0
  while (stack.length > 0 && seen++ < 1_000_000) {
    const v = stack.pop()
    if (typeof v !== 'object' || v === null) continue
    if (v instanceof UnknownExtension) {
      return new BadArgumentsError(
        `argument holds msgpack extension type ${v.type}, which the daemon does not know (register the codec on the daemon too)`,
      )
    }
    if (isSharedRef(v)) {
      if (v instanceof DanglingRef) return new UnknownObjectError(`argument refers to no shared object ('${v.id}', ${v.typeid})`)
      continue
    }
    if (Array.isArray(v)) for (const x of v) stack.push(x)
    else if (v instanceof Map) for (const [k, x] of v) stack.push(k, x)
    else if (v instanceof Set) for (const x of v) stack.push(x)
    else if (isPlainObject(v)) for (const k of Object.keys(v)) stack.push(v[k])
  }
  return undefined
}
