// SharedDict looks a key up once on the per-call path: a stored undefined must still be told
// from a missing key, by get() (the fallback) and by set() (replacing, not adding).

import { SharedDict } from '../types/containers'

describe('SharedDict lookups', () => {
  test('get: a stored undefined is returned as such; only a missing key gives the fallback', () => {
    const d = new SharedDict()
    d.set('u', undefined)
    d.set('n', null)
    d.set('z', 0)
    expect(d.get('u', 'fallback')).toBeUndefined()
    expect(d.get('n', 'fallback')).toBeNull()
    expect(d.get('z', 'fallback')).toBe(0)
    expect(d.get('missing', 'fallback')).toBe('fallback')
    expect(d.get('missing')).toBeUndefined()
  })

  test('set over a stored undefined replaces it: one entry, the key keeps its place', () => {
    const d = new SharedDict()
    d.set('a', 1)
    d.set('u', undefined)
    d.set('b', 2)
    d.set('u', 'now set')
    expect(d.size()).toBe(3)
    expect(d.keys()).toEqual(['a', 'u', 'b'])
    expect(d.get('u')).toBe('now set')
  })
})
