import { ConfigError } from '../../protocol'
import { TypeRegistry, publicMethods } from '../core/registry'

class Base {
  inherited() {}
}
class Counter extends Base {
  n = 0
  increment() {}
  value() {}
  _private() {}
  $control() {}
  then() {}
  get computed() {
    throw new Error('a getter must never run to find methods')
  }
}

describe('registry', () => {
  test('default exposed: public methods up the prototype chain, never then/constructor/_/$', () => {
    const names = publicMethods(new Counter())
    expect([...names].sort()).toEqual(['increment', 'inherited', 'value'])
  })

  test('own function properties count, Object.prototype does not', () => {
    const names = publicMethods({ run() {}, data: 1 })
    expect([...names]).toEqual(['run'])
  })

  test('exposed is computed once per typeid and includes methodToTypeid methods', () => {
    const r = new TypeRegistry()
    r.register('Counter', { create: () => new Counter(), methodToTypeid: { child: 'Counter' } })
    const spec = r.get('Counter')!
    const exposed = r.exposedFor(spec, new Counter())
    expect(exposed.has('child')).toBe(true)
    expect(r.exposedFor(spec, {})).toBe(exposed)
    expect(r.list()).toEqual([
      { typeid: 'Counter', creatable: true, exposed: [...exposed], methodToTypeid: { child: 'Counter' } },
    ])
  })

  const bad: Array<[string, () => void]> = [
    ['empty typeid', () => new TypeRegistry().register('', { create: () => 1 })],
    ['typeid with spaces', () => new TypeRegistry().register('a b', { create: () => 1 })],
    ['non-function create', () => new TypeRegistry().register('x', { create: 5 as unknown as () => number })],
    ['exposing then', () => new TypeRegistry().register('x', { exposed: ['then'] })],
    ['exposing constructor', () => new TypeRegistry().register('x', { exposed: ['constructor'] })],
    ['exposing __proto__', () => new TypeRegistry().register('x', { exposed: ['__proto__'] })],
    ['exposing a $ name', () => new TypeRegistry().register('x', { exposed: ['$token'] })],
    ['exposing a # name', () => new TypeRegistry().register('x', { exposed: ['#GETVALUE'] })],
    ['exposed not an array', () => new TypeRegistry().register('x', { exposed: 'a' as unknown as string[] })],
    [
      'registering twice',
      () => {
        const r = new TypeRegistry()
        r.register('x', {})
        r.register('x', {})
      },
    ],
  ]
  test.each(bad)('refuses %s with ConfigError', (_name, fn) => {
    expect(fn).toThrow(ConfigError)
  })
})
