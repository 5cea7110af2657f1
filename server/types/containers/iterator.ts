// `Iterator`: a cursor over a container, handed out by iteration methods (methodToTypeid) and
// read in batches, so `for await` costs one round trip per batch rather than per item.

export interface Batch<T = unknown> {
  values: T[]
  done: boolean
}

const MAX_BATCH = 10_000

export class BatchIterator {
  readonly #source: Iterator<unknown>
  #done = false

  constructor(source: Iterable<unknown> | Iterator<unknown>) {
    this.#source = Symbol.iterator in source ? (source as Iterable<unknown>)[Symbol.iterator]() : (source as Iterator<unknown>)
  }

  /** Up to `max` next values; `done` once the source is exhausted. */
  next(max = 256): Batch {
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1) throw new TypeError('next(max): max must be a positive integer')
    const values: unknown[] = []
    const limit = Math.min(max, MAX_BATCH)
    while (!this.#done && values.length < limit) {
      const r = this.#source.next()
      if (r.done === true) this.#done = true
      else values.push(r.value)
    }
    return { values, done: this.#done }
  }
}
