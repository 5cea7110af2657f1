import { ObjectTable } from '../core/object-table'
import { TypeRegistry } from '../core/registry'
import type { ObjectEntry } from '../core/object-entry'

function setup() {
  const registry = new TypeRegistry()
  registry.register('box', { create: () => ({}) })
  const spec = registry.get('box')!
  const table = new ObjectTable()
  const disposed: string[] = []
  const add = (name: string): ObjectEntry => {
    const obj = { name, [Symbol.dispose]: () => disposed.push(name) }
    return table.add(obj, spec, new Set())
  }
  return { table, add, disposed }
}

describe('object table refcounts', () => {
  test('an object is freed at zero and disposed at once', () => {
    const { table, add, disposed } = setup()
    const a = add('a')
    table.incref(a)
    expect(table.size).toBe(1)
    table.decref(a)
    expect(a.alive).toBe(true) // freed at the end of the turn, not inside the call that dropped it
    table.sweep()
    expect(table.size).toBe(0)
    expect(a.alive).toBe(false)
    expect(disposed).toEqual(['a'])
  })

  test('an object held again before the end of the turn survives', async () => {
    const { table, add } = setup()
    const a = add('a')
    table.incref(a)
    table.decref(a)
    table.incref(a) // e.g. a reply counted it for the caller
    await new Promise((r) => setImmediate(r))
    expect(a.alive).toBe(true)
    expect(table.size).toBe(1)
  })

  test('freeing a container releases what it held, in cascade', () => {
    const { table, add, disposed } = setup()
    const outer = add('outer')
    const inner = add('inner')
    const leaf = add('leaf')
    table.incref(outer)
    table.hold(outer, [{ deep: inner }])
    table.hold(inner, new Map([['k', leaf]]))
    expect(inner.refcount).toBe(1)
    expect(leaf.refcount).toBe(1)
    table.decref(outer)
    table.sweep()
    expect(table.size).toBe(0)
    expect(disposed.sort()).toEqual(['inner', 'leaf', 'outer'])
  })

  test('an object held elsewhere survives its container', () => {
    const { table, add } = setup()
    const box = add('box')
    const item = add('item')
    table.incref(box)
    table.incref(item) // a session holds it too
    table.hold(box, item)
    table.decref(box)
    table.sweep()
    expect(box.alive).toBe(false)
    expect(item.alive).toBe(true)
    expect(item.refcount).toBe(1)
    expect(item.internal).toBe(0)
  })

  test('drop releases exactly what was held', () => {
    const { table, add } = setup()
    const box = add('box')
    const item = add('item')
    table.incref(box)
    table.hold(box, [item, item])
    expect(item.refcount).toBe(2)
    table.drop(box, item)
    expect(item.refcount).toBe(1)
    table.drop(box, [item])
    table.sweep()
    expect(item.alive).toBe(false)
  })

  test('hold is all or nothing when a reference is dead', () => {
    const { table, add } = setup()
    const box = add('box')
    const ok = add('ok')
    const dead = add('dead')
    table.incref(box)
    table.incref(ok)
    table.incref(dead)
    table.decref(dead)
    table.sweep()
    expect(() => table.hold(box, [ok, dead])).toThrow(/no longer exists/)
    expect(ok.refcount).toBe(1)
    expect(box.holdings?.size ?? 0).toBe(0)
  })

  test('a self-containing object is collected once released', () => {
    const { table, add, disposed } = setup()
    const l = add('l')
    table.incref(l)
    table.hold(l, [l])
    table.decref(l)
    expect(l.alive).toBe(true) // only its own reference keeps it: a cycle
    expect(table.collect()).toBe(1)
    expect(table.size).toBe(0)
    expect(disposed).toEqual(['l'])
  })

  test('a cycle reachable from a held object is not collected', () => {
    const { table, add } = setup()
    const root = add('root')
    const a = add('a')
    const b = add('b')
    table.incref(root)
    table.incref(a)
    table.hold(root, a)
    table.hold(a, b)
    table.hold(b, a)
    table.decref(a) // the session lets go; root still holds a
    expect(table.collect()).toBe(0)
    expect(table.size).toBe(3)
    table.decref(root)
    expect(table.collect()).toBe(2)
    expect(table.size).toBe(0)
  })

  test('a cycle with an external holder on one member survives, then goes', () => {
    const { table, add } = setup()
    const a = add('a')
    const b = add('b')
    table.incref(a)
    table.incref(b)
    table.hold(a, b)
    table.hold(b, a)
    table.decref(a)
    expect(table.collect()).toBe(0)
    table.decref(b)
    expect(table.collect()).toBe(2)
  })

  test('a 100 000-long chain frees without overflowing the stack', () => {
    const { table, add } = setup()
    const head = add('0')
    table.incref(head)
    let prev = head
    for (let i = 1; i < 100_000; i++) {
      const next = add(String(i))
      table.hold(prev, next)
      prev = next
    }
    table.hold(prev, head) // and close it into a ring: a cycle collection of 100 000
    table.decref(head)
    expect(table.collect()).toBe(100_000)
    expect(table.size).toBe(0)
  })

  test('ids carry a per-boot prefix and are never reused', () => {
    const { table, add } = setup()
    const other = new ObjectTable()
    const a = add('a')
    table.incref(a)
    table.decref(a)
    const b = add('b')
    expect(b.id).not.toBe(a.id)
    expect(a.id.split('.')[0]).toBe(table.bootId)
    expect(other.bootId).not.toBe(table.bootId)
  })

  test('a dispose that throws is contained', () => {
    const { table } = setup()
    const registry = new TypeRegistry()
    registry.register('bad', { create: () => ({}) })
    const bad = table.add({ [Symbol.dispose]: () => { throw new Error('boom') } }, registry.get('bad')!, new Set())
    table.incref(bad)
    table.decref(bad)
    expect(() => table.sweep()).not.toThrow()
    expect(table.size).toBe(0)
  })
})
