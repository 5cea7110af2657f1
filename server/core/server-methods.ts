// The server methods (target = null): the daemon's public allow-list, after managers.py's
// `Server.public`. `satisfies` makes a missing handler a compile error.

import {
  BadArgumentsError,
  UnknownNameError,
  UnknownObjectError,
  UnknownTypeError,
  isPlainObject,
  type ServerMethod,
} from '../../protocol'
import type { ManagerCore } from './manager-core'
import type { ObjectEntry } from './object-entry'
import type { Session } from './session'

/** A server method's result that must go out as #PROXY (one reference counted for the caller). */
export class ProxyResult {
  constructor(readonly entry: ObjectEntry) {}
}

/** Wraps an error thrown by a type's own code (create), so it is sent as #ERROR, not #TRACEBACK. */
export class UserCodeError extends Error {
  constructor(override readonly cause: unknown) {
    super('user code failed')
  }
}

type Handler = (core: ManagerCore, session: Session, args: unknown[]) => unknown

function str(args: unknown[], i: number, what: string): string {
  const v = args[i]
  if (typeof v !== 'string' || v.length === 0) throw new BadArgumentsError(`${what} must be a non-empty string`)
  return v
}

function entryArg(core: ManagerCore, args: unknown[], i: number): ObjectEntry {
  const id = str(args, i, 'object id')
  const entry = core.table.get(id)
  if (entry === undefined) throw new UnknownObjectError(`no shared object with id '${id}'`)
  return entry
}

function count(args: unknown[], i: number): number {
  const n = args[i] ?? 1
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) throw new BadArgumentsError('count must be a positive integer')
  return n
}

export const serverMethods = {
  create(core, session, args) {
    const typeid = str(args, 0, 'typeid')
    const spec = core.registry.get(typeid)
    if (spec === undefined) throw new UnknownTypeError(`no type '${typeid}' is registered`)
    if (spec.create === undefined) throw new UnknownTypeError(`type '${typeid}' cannot be created directly`)
    return core.create(spec, args.slice(1), session)
  },

  getMethods(core, _session, args) {
    return [...entryArg(core, args, 0).exposed]
  },

  incref(core, session, args) {
    session.addRef(entryArg(core, args, 0), count(args, 1))
    return null
  },

  decref(core, session, args) {
    const id = str(args, 0, 'object id')
    const n = count(args, 1)
    const entry = core.table.get(id)
    if (entry === undefined || !session.dropRef(entry, n)) {
      throw new BadArgumentsError(`this session holds fewer than ${n} reference(s) to '${id}'`)
    }
    return null
  },

  numberOfObjects(core) {
    core.table.collect()
    return core.table.size
  },

  debugInfo(core, _session, args) {
    const options = args[0]
    if (options === undefined || options === null) return core.debugInfo()
    if (typeof options !== 'object' || !isPlainObject(options) || Object.keys(options).some((k) => k !== 'tables') || (options.tables !== undefined && typeof options.tables !== 'boolean')) {
      throw new BadArgumentsError('debugInfo takes no argument or { tables: boolean }')
    }
    return core.debugInfo(options.tables === false ? { tables: false } : {})
  },

  dummy() {
    return null
  },

  shutdown(core, session) {
    session.log.info('shutdown requested by a client')
    // Reply first: the shutdown starts once this call's reply is on its way.
    setImmediate(() => core.requestShutdown('shutdown() called by a client'))
    return null
  },

  publish(core, _session, args) {
    const name = str(args, 0, 'name')
    core.publish(name, entryArg(core, args, 1))
    return null
  },

  lookup(core, _session, args) {
    const name = str(args, 0, 'name')
    const entry = core.names.get(name)
    if (entry === undefined) throw new UnknownNameError(`nothing is published as '${name}'`)
    return new ProxyResult(entry)
  },

  unpublish(core, _session, args) {
    return core.unpublish(str(args, 0, 'name'))
  },

  listTypes(core) {
    return core.registry.list()
  },
} satisfies Record<ServerMethod, Handler>
