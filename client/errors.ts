// Rebuilding errors from replies: #ERROR through the allow-list of protocol errors (anything
// else becomes RemoteError), #TRACEBACK as DispatchError, #UNSERIALIZABLE as UnserializableError.

import {
  DispatchError,
  REHYDRATED_ERRORS,
  RemoteError,
  UnserializableError,
  type ErrorPayload,
  type ManagerError,
  type TracebackPayload,
  type UnserializablePayload,
} from '../protocol'

function field(payload: unknown, name: string): string | undefined {
  const v = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)[name] : undefined
  return typeof v === 'string' ? v : undefined
}

export function errorFromErrorReply(payload: unknown): ManagerError {
  const p = payload as Partial<ErrorPayload> | null
  const name = field(p, 'name') ?? 'Error'
  const message = field(p, 'message') ?? ''
  const code = field(p, 'code')
  const stack = field(p, 'stack')
  const cls = code !== undefined ? REHYDRATED_ERRORS.get(code) : undefined
  if (cls !== undefined) {
    const err = new cls(message)
    if (stack !== undefined) Object.defineProperty(err, 'remoteStack', { value: stack, enumerable: false })
    return err
  }
  return new RemoteError(message, { name, code, stack, data: p?.data })
}

export function errorFromTraceback(payload: unknown): DispatchError {
  const p = payload as Partial<TracebackPayload> | null
  const name = field(p, 'name') ?? 'Error'
  return new DispatchError(field(p, 'message') ?? '', { name, code: field(p, 'code'), trace: field(p, 'trace') ?? '' })
}

export function errorFromUnserializable(payload: unknown): ManagerError {
  const repr = field(payload as Partial<UnserializablePayload>, 'repr') ?? 'the result'
  return new UnserializableError(`the daemon could not encode the result: ${repr}`)
}
