// Every server method of DESIGN §3, over a real socket.
import { join } from 'node:path'
import { DispatchError, type DictProxy } from '../client'
import { startHarness } from './helpers/harness'

const types = [join(__dirname, 'fixtures/counter-types.js')]

describe('server methods', () => {
  test('create, getMethods, numberOfObjects, listTypes, dummy', async () => {
    await using h = await startHarness({ types })
    const m = await h.client()
    const before = await m.numberOfObjects()
    const d = await m.create<Map<string, number>>('dict')
    expect(d.$typeid).toBe('dict')
    expect(d.$token.address).toBe(h.address)
    expect(await m.numberOfObjects()).toBe(before + 1)
    expect(await m.getMethods(d)).toEqual(expect.arrayContaining(['get', 'set', 'iter']))
    const listed = await m.listTypes()
    expect(listed.map((t) => t.typeid)).toEqual(expect.arrayContaining(['dict', 'list', 'Namespace', 'Iterator', 'Counter']))
    expect(listed.find((t) => t.typeid === "Iterator")).toMatchObject({ creatable: false, exposed: ['next'] })
    await expect(m.ping()).resolves.toBeUndefined()
    await d.$release()
    expect(await m.numberOfObjects()).toBe(before)
  })

  test('incref and decref through $call-free raw calls', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const d = await m.dict()
    const id = d.$token.id
    const raw = m.connection
    await raw.call(null, 'incref', [id])
    await d.$release() // the manual incref still holds it
    expect(await m.numberOfObjects()).toBe(1)
    await raw.call(null, 'decref', [id])
    expect(await m.numberOfObjects()).toBe(0)
    // decref of what this session does not hold is refused, and frees nothing
    const e = await m.dict()
    await expect(raw.call(null, 'decref', [e.$token.id, 2])).rejects.toMatchObject({ remoteCode: 'MANAGERD_ERR_BAD_ARGUMENTS' })
    expect(await m.numberOfObjects()).toBe(1)
    await e.$release()
  })

  test('publish, lookup, unpublish: a name holds its object', async () => {
    await using h = await startHarness()
    const a = await h.client({ name: 'a' })
    const b = await h.client({ name: 'b' })
    const d = await a.dict<string, number>()
    await d.set('x', 1)
    await a.publish('shared', d)
    await d.$release()
    expect(await a.numberOfObjects()).toBe(1) // the name keeps it alive
    const seen = await b.lookup<DictProxy<string, number>>('shared')
    expect(await seen.get('x')).toBe(1)
    await seen.set('x', 2)
    expect(await b.unpublish('shared')).toBe(true)
    expect(await b.unpublish('shared')).toBe(false)
    expect(await seen.get('x')).toBe(2) // b's proxy still holds it
    await seen.$release()
    expect(await a.numberOfObjects()).toBe(0)
  })

  test('republishing a name releases the previous object', async () => {
    await using h = await startHarness()
    const m = await h.client()
    const one = await m.dict()
    const two = await m.dict()
    await m.publish('n', one)
    await m.publish('n', two)
    await one.$release()
    await two.$release()
    expect(await m.numberOfObjects()).toBe(1)
    await m.unpublish('n')
  })

  test('debugInfo says who holds what', async () => {
    await using h = await startHarness()
    const m = await h.client({ name: 'inspector' })
    const d = await m.dict()
    const l = await m.list()
    await l.append(d)
    await m.publish('the-list', l)
    const info = await m.debugInfo()
    const session = info.sessions.find((s) => s.name === 'inspector')!
    expect(session.references.map((r) => r.id).sort()).toEqual([d.$token.id, l.$token.id].sort())
    const dictInfo = info.objects.find((o) => o.id === d.$token.id)!
    expect(dictInfo.holders.objects).toEqual([{ id: l.$token.id, count: 1 }])
    expect(dictInfo.holders.sessions).toEqual([{ id: session.id, count: 1 }])
    expect(info.objects.find((o) => o.id === l.$token.id)!.holders.names).toEqual(['the-list'])
    expect(info.names).toEqual({ 'the-list': l.$token.id })
    expect(info.bootId).toBe(d.$token.id.split('.')[0])
    await m.unpublish('the-list')
  })

  test('shutdown stops the daemon gracefully', async () => {
    const h = await startHarness()
    const m = await h.client()
    const goaway = new Promise((resolve) => m.on('goaway', resolve))
    await m.shutdown()
    await expect(goaway).resolves.toMatchObject({ reason: expect.stringContaining('shutdown') })
    await h.daemon.stopped
    expect(h.daemon.readiness).toBe('draining')
    expect(h.daemon.core.table.size).toBe(0)
  })

  const refusals: Array<[string, string, unknown[], string]> = [
    ['unknown server method', 'nope', [], 'MANAGERD_ERR_UNKNOWN_METHOD'],
    ['create of an unknown type', 'create', ['Nope'], 'MANAGERD_ERR_UNKNOWN_TYPE'],
    ['create of a type without create', 'create', ['Iterator'], 'MANAGERD_ERR_UNKNOWN_TYPE'],
    ['create without a typeid', 'create', [], 'MANAGERD_ERR_BAD_ARGUMENTS'],
    ['getMethods of an unknown id', 'getMethods', ['x.1'], 'MANAGERD_ERR_UNKNOWN_OBJECT'],
    ['incref of a number', 'incref', [5], 'MANAGERD_ERR_BAD_ARGUMENTS'],
    ['decref with a bad count', 'decref', ['x.1', -1], 'MANAGERD_ERR_BAD_ARGUMENTS'],
    ['lookup of an unknown name', 'lookup', ['nobody'], 'MANAGERD_ERR_UNKNOWN_NAME'],
    ['publish of an unknown id', 'publish', ['n', 'x.1'], 'MANAGERD_ERR_UNKNOWN_OBJECT'],
    ['publish with an empty name', 'publish', ['', 'x.1'], 'MANAGERD_ERR_BAD_ARGUMENTS'],
    ['a prototype name as a server method', '__proto__', [], 'MANAGERD_ERR_UNKNOWN_METHOD'],
    ['constructor as a server method', 'constructor', [], 'MANAGERD_ERR_UNKNOWN_METHOD'],
    ['toString as a server method', 'toString', [], 'MANAGERD_ERR_UNKNOWN_METHOD'],
  ]
  test.each(refusals)('%s is #TRACEBACK with its code', async (_name, method, args, code) => {
    await using h = await startHarness()
    const m = await h.client()
    const err = await m.connection.call(null, method, args).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DispatchError)
    expect((err as DispatchError).code).toBe('MANAGERD_ERR_DISPATCH')
    expect((err as DispatchError).remoteCode).toBe(code)
    // the session goes on working
    await expect(m.ping()).resolves.toBeUndefined()
  })
})
