// `Barrier(parties, { action?, timeoutMs? })`: parties wait until all have arrived, then all go
// on (Python's threading.Barrier). Each wait gets an index, the first arrival 0. The barrier
// breaks — every waiter gets BrokenBarrierError — on abort(), reset(), a timeout, or when a
// waiting party's call is given up (its session ended). The action, run by the last arrival
// before anyone is released, is a method of a shared object: `{ target: proxy, method, args }`
// (a function cannot cross the wire); if it fails the barrier breaks.

import { BadArgumentsError, BrokenBarrierError, ObjectFreedError } from '../../../protocol'
import { currentCall, currentHolder } from '../../core/call-context'
import { isSharedRef, type SharedRef } from '../../core/object-entry'
import { describe, parseOptions, parseTimeout, type Patience } from './blocking'
import { selfName } from './lock-like'
import { Lifetime, WaitQueue, type Waiter } from './waiters'

interface Action {
  readonly target: SharedRef
  readonly method: string
  readonly args: unknown[]
}

/** One filling of the barrier; its waiters resolve with their indexes when it trips. */
class Round {
  readonly waiters = new WaitQueue<number, number>()
  arrived = 0
}

function parseAction(value: unknown): Action | null {
  if (value === undefined || value === null) return null
  const o = parseOptions('Barrier action', value, ['target', 'method', 'args'])
  const { target, method, args = [] } = o
  if (typeof target !== 'object' || target === null || !isSharedRef(target)) {
    throw new BadArgumentsError('Barrier action: target must be a proxy (a function cannot cross the wire)')
  }
  if (typeof method !== 'string' || method.length === 0) throw new BadArgumentsError(`Barrier action: method must be a method name, not ${describe(method)}`)
  if (!Array.isArray(args)) throw new BadArgumentsError(`Barrier action: args must be an array, not ${describe(args)}`)
  return { target, method, args }
}

export class SharedBarrier {
  readonly #name = selfName('Barrier')
  readonly #parties: number
  readonly #timeout: Patience
  readonly #action: Action | null
  readonly #life = new Lifetime()
  #round = new Round()
  #broken = false

  constructor(parties: unknown, options?: unknown) {
    if (typeof parties !== 'number' || !Number.isSafeInteger(parties) || parties < 1) {
      throw new BadArgumentsError(`Barrier(parties): parties must be an integer >= 1, not ${describe(parties)}`)
    }
    const o = parseOptions('Barrier(parties, options)', options, ['action', 'timeoutMs'])
    this.#parties = parties
    this.#timeout = parseTimeout('Barrier', o.timeoutMs)
    this.#action = parseAction(o.action)
    if (this.#action !== null) currentHolder().hold([this.#action.target, this.#action.args])
  }

  /** `wait(timeoutMs?)` (default: the barrier's timeout): this party's index once all arrived. */
  wait(timeoutMs?: unknown): number | Promise<number> {
    const patience = timeoutMs === undefined ? this.#timeout : parseTimeout('wait', timeoutMs)
    if (this.#broken) throw new BrokenBarrierError(`${this.#name} is broken`)
    const round = this.#round
    const index = round.arrived++
    if (round.arrived === this.#parties) return this.#trip(round, index)
    return round.waiters.park(index, {
      signals: [currentCall().signal, this.#life.signal],
      timeoutMs: patience,
      onTimeout: (w) => {
        // A round already tripping settles its waiters itself (its action may still run).
        if (round !== this.#round) return
        w.reject(new BrokenBarrierError(`${this.#name} broke: a party timed out`))
        this.#break('a party timed out')
      },
      onAbort: () => {
        if (round === this.#round && !this.#life.signal.aborted) this.#break('a waiting party left')
      },
    }).promise
  }

  /** Break the barrier: current and future waiters get BrokenBarrierError until reset(). */
  abort(): void {
    this.#break('it was aborted')
  }

  /** Back to empty and unbroken; current waiters get BrokenBarrierError. */
  reset(): void {
    this.#settleRound('it was reset')
    this.#broken = false
  }

  parties(): number {
    return this.#parties
  }

  nWaiting(): number {
    return this.#round.waiters.size
  }

  broken(): boolean {
    return this.#broken
  }

  [Symbol.dispose](): void {
    this.#life.end(new ObjectFreedError(`${this.#name} was freed while the call waited`))
  }

  /** The last party arrived: run the action, then release every party of the round. */
  #trip(round: Round, index: number): number | Promise<number> {
    const waiters = round.waiters.drain()
    this.#round = new Round()
    const release = (): number => {
      for (const w of waiters) w.resolve(w.data)
      return index
    }
    const fail = (err: unknown): never => {
      for (const w of waiters) w.reject(new BrokenBarrierError(`${this.#name} broke: its action failed`))
      this.#break('its action failed')
      throw err
    }
    const action = this.#action
    if (action === null) return release()
    let result: unknown
    try {
      result = currentCall().invoke(action.target, action.method, ...action.args)
    } catch (err) {
      return fail(err)
    }
    return result instanceof Promise ? result.then(release, fail) : release()
  }

  #break(why: string): void {
    this.#broken = true
    this.#settleRound(why)
  }

  #settleRound(why: string): void {
    const waiters: Array<Waiter<number, number>> = this.#round.waiters.drain()
    this.#round = new Round()
    for (const w of waiters) w.reject(new BrokenBarrierError(`${this.#name} broke: ${why}`))
  }
}
