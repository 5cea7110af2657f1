// The delivery log: references counted by replies not yet known to have arrived, confirmed by
// pongs, settled (released for the lost requests) on a resume, and bounded in size.
import { DELIVERY_LOG_MAX, DeliveryLog } from '../core/delivery-log'
import type { ObjectEntry } from '../core/object-entry'

const entry = (id: string): ObjectEntry => ({ id }) as unknown as ObjectEntry

describe('DeliveryLog', () => {
  test('settle releases the references of lost requests only, then starts over', () => {
    const log = new DeliveryLog()
    const [a, b, c] = [entry('a'), entry('b'), entry('c')]
    log.note(1, a)
    log.note(2, b)
    log.note(2, c) // one reply may count several references
    const released: string[] = []
    expect(log.settle(new Set([2, 99]), (e) => released.push(e.id) > 0)).toBe(2)
    expect(released).toEqual(['b', 'c'])
    expect(log.size).toBe(0)
    expect(log.settle(new Set([2]), () => true)).toBe(0) // settled once: a second resume releases nothing
  })

  test('confirm forgets what was noted before the mark of an answered ping', () => {
    const log = new DeliveryLog()
    log.note(1, entry('a'))
    const mark = log.mark // a ping goes out here
    log.note(2, entry('b'))
    log.confirm(mark)
    expect(log.size).toBe(1)
    const released: string[] = []
    log.settle(new Set([1, 2]), (e) => released.push(e.id) > 0)
    expect(released).toEqual(['b'])
    log.confirm(0) // an old mark changes nothing
    expect(log.size).toBe(0)
  })

  test(`keeps at most ${DELIVERY_LOG_MAX} entries, forgetting the oldest`, () => {
    const log = new DeliveryLog()
    for (let i = 1; i <= DELIVERY_LOG_MAX + 1; i++) log.note(i, entry(String(i)))
    expect(log.size).toBeLessThanOrEqual(DELIVERY_LOG_MAX)
    const released: string[] = []
    log.settle(new Set([1, DELIVERY_LOG_MAX + 1]), (e) => released.push(e.id) > 0)
    expect(released).toEqual([String(DELIVERY_LOG_MAX + 1)])
  })
})
