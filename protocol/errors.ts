// Error classes shared by daemon and client. Every class extends ManagerError and has a stable
// string `code` (fastify's FST_ERR_* habit); codes are what callers and the wire rely on.

/** Base class of every error managerd raises. */
export class ManagerError extends Error {
  /** Stable machine-readable code, `MANAGERD_ERR_*`. */
  readonly code: string
  constructor(message: string, code: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
  }
}

export type ManagerErrorClass = new (message?: string, options?: ErrorOptions) => ManagerError

/** The table of codes: name → [code, default message]. Documented in protocol/PROTOCOL.md. */
export const ErrorCodes = {
  RemoteError: ['MANAGERD_ERR_REMOTE', 'the remote method failed'],
  DispatchError: ['MANAGERD_ERR_DISPATCH', 'the daemon could not dispatch the call'],
  UnserializableError: ['MANAGERD_ERR_UNSERIALIZABLE', 'value cannot be serialized'],
  AuthenticationError: ['MANAGERD_ERR_AUTH_FAILED', 'authentication failed'],
  ConnectionLostError: ['MANAGERD_ERR_CONNECTION_LOST', 'the connection to the daemon was lost'],
  CallTimeoutError: ['MANAGERD_ERR_CALL_TIMEOUT', 'the call timed out'],
  ProxyReleasedError: ['MANAGERD_ERR_PROXY_RELEASED', 'the proxy was released'],
  StaleProxyError: ['MANAGERD_ERR_STALE_PROXY', 'the proxy belongs to a session that has ended'],
  SessionLostError: ['MANAGERD_ERR_SESSION_LOST', 'the session ended; its references were released'],
  ManagerClosedError: ['MANAGERD_ERR_CLOSED', 'the manager is closed'],
  ProtocolError: ['MANAGERD_ERR_PROTOCOL', 'protocol violation'],
  NotExposedError: ['MANAGERD_ERR_NOT_EXPOSED', 'method is not exposed'],
  UnknownObjectError: ['MANAGERD_ERR_UNKNOWN_OBJECT', 'no such shared object'],
  UnknownTypeError: ['MANAGERD_ERR_UNKNOWN_TYPE', 'no such registered type'],
  UnknownNameError: ['MANAGERD_ERR_UNKNOWN_NAME', 'no object is published under that name'],
  UnknownMethodError: ['MANAGERD_ERR_UNKNOWN_METHOD', 'no such server method'],
  BadArgumentsError: ['MANAGERD_ERR_BAD_ARGUMENTS', 'bad arguments'],
  TooManyInFlightError: ['MANAGERD_ERR_TOO_MANY_IN_FLIGHT', 'too many calls in flight'],
  ShuttingDownError: ['MANAGERD_ERR_SHUTTING_DOWN', 'the daemon is shutting down'],
  ConfigError: ['MANAGERD_ERR_CONFIG', 'invalid configuration'],
  // Python-named errors callers must tell apart (queue.Empty, queue.Full, threading.BrokenBarrierError).
  QueueEmpty: ['MANAGERD_ERR_QUEUE_EMPTY', 'queue is empty'],
  QueueFull: ['MANAGERD_ERR_QUEUE_FULL', 'queue is full'],
  BrokenBarrierError: ['MANAGERD_ERR_BROKEN_BARRIER', 'barrier is broken'],
  ObjectFreedError: ['MANAGERD_ERR_OBJECT_FREED', 'the shared object was freed while the call waited'],
} as const satisfies Record<string, readonly [string, string]>

export type ErrorName = keyof typeof ErrorCodes

function createError(name: ErrorName): ManagerErrorClass {
  const [code, defaultMessage] = ErrorCodes[name]
  // A named class expression keeps `err.name`, stack headers and `instanceof` all right.
  const cls = {
    [name]: class extends ManagerError {
      constructor(message: string = defaultMessage, options?: ErrorOptions) {
        super(message, code, options)
      }
    },
  }[name]!
  Object.defineProperty(cls.prototype, 'name', { value: name, enumerable: false, configurable: true })
  return cls
}

/** #ERROR rebuilt on the client: the remote method threw something outside the allow-list. */
export class RemoteError extends ManagerError {
  /** The remote error's class name, e.g. 'TypeError'. */
  readonly remoteName: string
  /** The remote error's own code, when it had one. */
  readonly remoteCode: string | undefined
  /** The remote stack, when the daemon sends stacks (`--error-stacks`). */
  readonly remoteStack: string | undefined
  readonly data: unknown
  constructor(
    message: string,
    remote: { name: string; code?: string | undefined; stack?: string | undefined; data?: unknown } = { name: 'Error' },
  ) {
    super(message, ErrorCodes.RemoteError[0])
    this.remoteName = remote.name
    this.remoteCode = remote.code
    this.remoteStack = remote.stack
    this.data = remote.data
  }
}
Object.defineProperty(RemoteError.prototype, 'name', { value: 'RemoteError' })

/** #TRACEBACK rebuilt on the client: the daemon could not dispatch the call. */
export class DispatchError extends ManagerError {
  readonly remoteName: string
  readonly remoteCode: string | undefined
  readonly trace: string
  constructor(message: string, remote: { name: string; code?: string | undefined; trace?: string } = { name: 'Error' }) {
    super(message, ErrorCodes.DispatchError[0])
    this.remoteName = remote.name
    this.remoteCode = remote.code
    this.trace = remote.trace ?? ''
  }
}
Object.defineProperty(DispatchError.prototype, 'name', { value: 'DispatchError' })

export const UnserializableError = createError('UnserializableError')
export const AuthenticationError = createError('AuthenticationError')
export const ConnectionLostError = createError('ConnectionLostError')
export const CallTimeoutError = createError('CallTimeoutError')
export const ProxyReleasedError = createError('ProxyReleasedError')
export const StaleProxyError = createError('StaleProxyError')
export const SessionLostError = createError('SessionLostError')
export const ManagerClosedError = createError('ManagerClosedError')
export const ProtocolError = createError('ProtocolError')
export const NotExposedError = createError('NotExposedError')
export const UnknownObjectError = createError('UnknownObjectError')
export const UnknownTypeError = createError('UnknownTypeError')
export const UnknownNameError = createError('UnknownNameError')
export const UnknownMethodError = createError('UnknownMethodError')
export const BadArgumentsError = createError('BadArgumentsError')
export const TooManyInFlightError = createError('TooManyInFlightError')
export const ShuttingDownError = createError('ShuttingDownError')
export const ConfigError = createError('ConfigError')
export const QueueEmpty = createError('QueueEmpty')
export const QueueFull = createError('QueueFull')
export const BrokenBarrierError = createError('BrokenBarrierError')
export const ObjectFreedError = createError('ObjectFreedError')

// Each class is also a type (instances are ManagerErrors told apart by class and code).
export type UnserializableError = ManagerError
export type AuthenticationError = ManagerError
export type ConnectionLostError = ManagerError
export type CallTimeoutError = ManagerError
export type ProxyReleasedError = ManagerError
export type StaleProxyError = ManagerError
export type SessionLostError = ManagerError
export type ManagerClosedError = ManagerError
export type ProtocolError = ManagerError
export type NotExposedError = ManagerError
export type UnknownObjectError = ManagerError
export type UnknownTypeError = ManagerError
export type UnknownNameError = ManagerError
export type UnknownMethodError = ManagerError
export type BadArgumentsError = ManagerError
export type TooManyInFlightError = ManagerError
export type ShuttingDownError = ManagerError
export type ConfigError = ManagerError
export type QueueEmpty = ManagerError
export type QueueFull = ManagerError
export type BrokenBarrierError = ManagerError
export type ObjectFreedError = ManagerError

/**
 * Errors that cross the wire as themselves: a daemon-side throw of one of these arrives on the
 * client as the same class (matched by `code`). Anything else arrives as RemoteError.
 */
export const REHYDRATED_ERRORS: ReadonlyMap<string, ManagerErrorClass> = new Map(
  [
    QueueEmpty,
    QueueFull,
    BrokenBarrierError,
    ObjectFreedError,
    StaleProxyError,
    UnserializableError,
    BadArgumentsError,
    ShuttingDownError,
  ].map((cls) => [new cls().code, cls]),
)
