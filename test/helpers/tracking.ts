// Small helpers for tests of blocking calls: tell a parked call from a settled one without
// sleeping, and assert an error's class and code.

/** A promise whose state can be read. Check it after a round trip on the caller's connection. */
export interface Tracked<T> {
  readonly promise: Promise<T>
  readonly settled: boolean
  readonly value: T | undefined
  readonly error: unknown
}

export function track<T>(promise: Promise<T>): Tracked<T> {
  const state: { settled: boolean; value: T | undefined; error: unknown } = { settled: false, value: undefined, error: undefined }
  const tracked = {
    promise,
    get settled() {
      return state.settled
    },
    get value() {
      return state.value
    },
    get error() {
      return state.error
    },
  }
  promise.then(
    (v) => {
      state.settled = true
      state.value = v
    },
    (e: unknown) => {
      state.settled = true
      state.error = e
    },
  )
  return tracked
}

/** The rejection of `promise` (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { code?: string; remoteName?: string }> {
  try {
    await promise
  } catch (err) {
    return err as Error & { code?: string; remoteName?: string }
  }
  throw new Error('expected the call to reject, but it resolved')
}
