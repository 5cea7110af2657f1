// Building the values of the protocol's extensions from their decoded payloads (decoder.ts
// reads the payloads): objects with own '__proto__' keys, Errors, and one-byte payloads.

/** The msgpack values one byte long: fixints, nil, booleans, and empty str, array, map. */
export function oneByteValue(b: number): unknown {
  if (b < 0x80) return b
  if (b >= 0xe0) return b - 0x100
  switch (b) {
    case 0xc0:
      return null
    case 0xc2:
      return false
    case 0xc3:
      return true
    case 0xa0:
      return ''
    case 0x90:
      return []
    case 0x80:
      return {}
    default:
      throw new Error('malformed extension payload')
  }
}

export function pairsToObject(pairs: unknown): Record<string, unknown> {
  if (!Array.isArray(pairs) || pairs.length % 2) throw new Error('malformed object extension')
  const obj: Record<string, unknown> = {}
  for (let i = 0; i < pairs.length; i += 2) {
    const key = pairs[i]
    if (typeof key !== 'string') throw new Error('object extension keys must be strings')
    // defineProperty: an own '__proto__' key stays data and never sets the prototype.
    Object.defineProperty(obj, key, { value: pairs[i + 1], enumerable: true, writable: true, configurable: true })
  }
  return obj
}

const STANDARD_ERRORS: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
}

export function readError(fields: unknown): Error {
  const f = (typeof fields === 'object' && fields !== null ? fields : {}) as Record<string, unknown>
  const name = typeof f.name === 'string' ? f.name : 'Error'
  const message = typeof f.message === 'string' ? f.message : ''
  // No stack capture: the stack is the sender's, and a capture costs microseconds per Error.
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  let err: Error
  try {
    err = new (Object.hasOwn(STANDARD_ERRORS, name) ? STANDARD_ERRORS[name]! : Error)(message)
  } finally {
    Error.stackTraceLimit = limit
  }
  if (err.name !== name) Object.defineProperty(err, 'name', { value: name, enumerable: false, configurable: true, writable: true })
  err.stack = typeof f.stack === 'string' ? f.stack : `${name}: ${message}`
  if (typeof f.code === 'string') (err as Error & { code?: string }).code = f.code
  if (f.data !== undefined) (err as Error & { data?: unknown }).data = f.data
  return err
}
