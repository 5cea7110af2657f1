// `Event`: a flag that waiters park on until some session sets it (Python's threading.Event).

import { ObjectFreedError } from '../../../protocol'
import { currentCall } from '../../core/call-context'
import { parseTimeout } from './blocking'
import { selfName } from './lock-like'
import { Lifetime, WaitQueue } from './waiters'

export class SharedEvent {
  readonly #name = selfName('Event')
  readonly #waiters = new WaitQueue<boolean>()
  readonly #life = new Lifetime()
  #flag = false

  isSet(): boolean {
    return this.#flag
  }

  /** Set the flag and wake every waiter. */
  set(): void {
    this.#flag = true
    for (const w of this.#waiters.drain()) w.resolve(true)
  }

  clear(): void {
    this.#flag = false
  }

  /** `wait(timeoutMs?)`: true once the flag is set, false if the time ran out first. */
  wait(timeoutMs?: unknown): boolean | Promise<boolean> {
    const patience = parseTimeout('wait', timeoutMs)
    if (this.#flag) return true
    if (patience === 0) return false
    return this.#waiters.park(undefined, {
      signals: [currentCall().signal, this.#life.signal],
      timeoutMs: patience,
      onTimeout: (w) => w.resolve(false),
    }).promise
  }

  [Symbol.dispose](): void {
    this.#life.end(new ObjectFreedError(`${this.#name} was freed while the call waited`))
  }
}
