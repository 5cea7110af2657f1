// Telling data from class instances by prototype, never by the `constructor` property: a
// decoded plain object may carry an own 'constructor' key, which is data.

/** A plain object: `{}`, an object literal, or `Object.create(null)`. */
export function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** The class of a non-plain object, read from its prototype. */
export function classOf(value: object): unknown {
  const proto = Object.getPrototypeOf(value) as { constructor?: unknown } | null
  return proto === null ? undefined : Object.getOwnPropertyDescriptor(proto, 'constructor')?.value
}
