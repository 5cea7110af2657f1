// `JoinableQueue(maxsize)`: a Queue that counts unfinished tasks — every put adds one, every
// taskDone() removes one — and join() parks until the count is back to zero.

import { currentCall } from '../../core/call-context'
import { pythonError } from '../containers/values'
import { WaitQueue } from '../sync/waiters'
import { SharedQueue } from './queue'

export class SharedJoinableQueue extends SharedQueue {
  #unfinished = 0
  readonly #joiners = new WaitQueue<void>()

  constructor(maxsize: unknown = 0) {
    super(maxsize, 'JoinableQueue')
  }

  /** One task taken by get() is done; ValueError when called more often than items were put. */
  taskDone(): void {
    if (this.#unfinished <= 0) throw pythonError('ValueError', 'task_done() called too many times')
    if (--this.#unfinished === 0) for (const w of this.#joiners.drain()) w.resolve()
  }

  /** Resolves once every item put so far has been marked done. */
  join(): void | Promise<void> {
    if (this.#unfinished === 0) return
    return this.#joiners.park(undefined, {
      signals: [currentCall().signal, this.life.signal],
      timeoutMs: null,
      onTimeout: () => {},
    }).promise
  }

  protected override onPut(): void {
    this.#unfinished++
  }
}
