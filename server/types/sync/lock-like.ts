// What a lock is to the types built on one — a Condition waits on it, a Value is guarded by it —
// and who owns it: a session (plus, for RLock, a label telling apart tasks of one session).

import type { Logger } from 'pino'
import { BadArgumentsError } from '../../../protocol'
import { currentCall, type SessionInfo } from '../../core/call-context'
import { DanglingRef, isSharedRef, type SharedRef } from '../../core/object-entry'
import type { Patience } from './blocking'

export interface Owner {
  readonly session: SessionInfo
  /** RLock only: which task of the session; null for none. A Lock ignores it. */
  readonly label: string | null
  /** The owner session's logger: the warning of a release on session end goes there. */
  readonly log: Logger
}

/** The caller of the method being served, as a lock owner. */
export function callerAs(label: string | null = null): Owner {
  const call = currentCall()
  return { session: call.session, label, log: call.log }
}

export interface LockLike {
  $isFree(): boolean
  /** Held by exactly this owner (RLock: same session and label). */
  $heldBy(owner: Owner): boolean
  /** Held by the session under any label. */
  $heldBySession(session: SessionInfo): boolean
  /** Take it now if free (or, for an RLock, once more by its owner). */
  $tryAcquire(owner: Owner): boolean
  /** Wait in line: true once held, false when `patience` ran out; rejects if a signal aborts. */
  $park(owner: Owner, patience: Patience, signals: readonly AbortSignal[]): Promise<boolean>
  /** Release one level; throws Python's RuntimeError when the owner does not hold it. */
  $release(owner: Owner): void
  /** Release every level the owner holds (Condition.wait); returns the depth for $restore. */
  $releaseAll(owner: Owner): number
  /** Take it back at `depth`, waiting as long as needed. */
  $restore(owner: Owner, depth: number, signals: readonly AbortSignal[]): Promise<void>
}

const LOCK_TYPES: ReadonlySet<string> = new Set(['Lock', 'RLock'])

/** A lock passed as an argument (a Lock or RLock proxy): its ref, to hold, and the lock itself. */
export function lockArgument(what: string, value: unknown): { ref: SharedRef; lock: LockLike } {
  if (typeof value !== 'object' || value === null || !isSharedRef(value) || !LOCK_TYPES.has(value.typeid)) {
    throw new BadArgumentsError(`${what}: lock must be a Lock or RLock proxy`)
  }
  return { ref: value, lock: value.deref() as LockLike }
}

/**
 * The object being created, to name in the claims it grants (debugInfo shows who holds it). A
 * lock made inside another type's create (a Condition's own lock) names that object. Made
 * outside any call (plain in-process use) it names nothing that exists.
 */
export function selfRef(typeid: string): SharedRef {
  try {
    return currentCall().target
  } catch {
    return new DanglingRef(UNSHARED, typeid)
  }
}

const UNSHARED = '(unshared)'

/** How an object names itself in logs and errors: its typeid and, when made by a call, its id. */
export function selfName(typeid: string): string {
  const { id } = selfRef(typeid)
  return id === UNSHARED ? typeid : `${typeid} ${id}` // made outside a call (in-process use): no id
}
