// `Queue(maxsize)`: a FIFO shared by every session, with Python's queue.Queue methods. A get on
// an empty queue (or a put on a full one) parks on the daemon until served, timed out (QueueEmpty
// / QueueFull) or given up. Items may hold proxies: the queue holds them while they are inside,
// and while a parked put waits to get in.

import { BadArgumentsError, ObjectFreedError, QueueEmpty, QueueFull } from '../../../protocol'
import { currentCall, currentHolder, type Holder } from '../../core/call-context'
import { describe, parseBlocking } from '../sync/blocking'
import { selfName } from '../sync/lock-like'
import { Lifetime, WaitQueue } from '../sync/waiters'

/** A FIFO array with O(1) shift: a moving head, compacted once it is half the array. */
class Fifo {
  #items: unknown[] = []
  #head = 0

  get size(): number {
    return this.#items.length - this.#head
  }

  push(item: unknown): void {
    this.#items.push(item)
  }

  shift(): unknown {
    const item = this.#items[this.#head]
    this.#items[this.#head++] = undefined
    if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
    return item
  }

  toArray(): unknown[] {
    return this.#items.slice(this.#head)
  }
}

export class SharedQueue {
  protected readonly name: string
  readonly #maxsize: number
  readonly #items = new Fifo()
  readonly #getters = new WaitQueue<unknown>()
  /** Parked puts, each with its item (already held by the queue). */
  readonly #putters = new WaitQueue<void, unknown>()
  readonly #holder: Holder
  /** Aborts when the queue is freed: every call parked on it is settled. */
  protected readonly life = new Lifetime()

  constructor(maxsize: unknown = 0, typeid = 'Queue') {
    if (typeof maxsize !== 'number' || !Number.isSafeInteger(maxsize)) {
      throw new BadArgumentsError(`${typeid}(maxsize): maxsize must be an integer (0 or less for no limit), not ${describe(maxsize)}`)
    }
    this.name = selfName(typeid)
    this.#maxsize = maxsize
    this.#holder = currentHolder()
  }

  /** `put(item, { block, timeoutMs })` or `put(item, block, timeoutMs)`; QueueFull when no room in time. */
  put(item: unknown, a?: unknown, b?: unknown): void | Promise<void> {
    const { patience } = parseBlocking('put', a, b)
    if (!this.full()) {
      this.#holder.hold(item)
      this.#enter(item)
      return
    }
    if (patience === 0) throw new QueueFull(`${this.name} is full`)
    // Held while parked: the putter may release its proxies before the item gets in.
    this.#holder.hold(item)
    return this.#putters.park(item, {
      signals: [currentCall().signal, this.life.signal],
      timeoutMs: patience,
      onTimeout: (w) => {
        this.#holder.drop(item)
        w.reject(new QueueFull(`${this.name} stayed full for ${patience} ms`))
      },
      onAbort: () => this.#holder.drop(item),
    }).promise
  }

  /** `get({ block, timeoutMs })` or `get(block, timeoutMs)`; QueueEmpty when nothing came in time. */
  get(a?: unknown, b?: unknown): unknown {
    const { patience } = parseBlocking('get', a, b)
    if (this.#items.size > 0) {
      const item = this.#items.shift()
      this.#admitPutter()
      // Freed objects go at the end of the turn, after this reply counted the item for the caller.
      this.#holder.drop(item)
      return item
    }
    if (patience === 0) throw new QueueEmpty(`${this.name} is empty`)
    return this.#getters.park(undefined, {
      signals: [currentCall().signal, this.life.signal],
      timeoutMs: patience,
      onTimeout: (w) => w.reject(new QueueEmpty(`${this.name} stayed empty for ${patience} ms`)),
    }).promise
  }

  putNowait(item: unknown): void | Promise<void> {
    return this.put(item, false)
  }

  getNowait(): unknown {
    return this.get(false)
  }

  qsize(): number {
    return this.#items.size
  }

  empty(): boolean {
    return this.#items.size === 0
  }

  full(): boolean {
    return this.#maxsize > 0 && this.#items.size >= this.#maxsize
  }

  /** Not exposed: a copy of the items, for `$getValue()`. */
  $value(): unknown[] {
    return this.#items.toArray()
  }

  [Symbol.dispose](): void {
    // Parked puts' items are among the queue's holdings, released by the table with it.
    this.life.end(new ObjectFreedError(`${this.name} was freed while the call waited`))
  }

  /** An item (already held) is put: JoinableQueue counts it as an unfinished task. */
  protected onPut(): void {}

  /** A held item goes in: to the longest-waiting get if there is one, else into the FIFO. */
  #enter(item: unknown): void {
    this.onPut()
    const getter = this.#getters.first()
    if (getter === undefined) {
      this.#items.push(item)
      return
    }
    getter.resolve(item)
    // The getter's reply is written after this turn's end-of-turn sweep; keep the item alive
    // until then, or an object only the queue held would be freed on the way.
    const holder = this.#holder
    setImmediate(() => holder.drop(item))
  }

  /** Room was made: the longest-waiting put gets in. */
  #admitPutter(): void {
    const putter = this.#putters.first()
    if (putter === undefined) return
    const item = putter.data
    putter.resolve()
    this.#enter(item)
  }
}
