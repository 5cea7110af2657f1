// The client reconnects by itself and resumes its session: references and held locks survive a
// dropped link; calls in flight fail (never replayed); calls made meanwhile wait; decrefs made
// meanwhile are sent after; and a session the daemon no longer has is replaced, old proxies stale.
import { once } from 'node:events'
import { join } from 'node:path'
import { connect, type ConnectOptions, type LockProxy, type Manager } from '../client'
import { TEST_KEY, eventually, startHarness } from './helpers/harness'
import { startTcpProxy } from './helpers/tcp-proxy'
import { rejectionOf, track } from './helpers/tracking'

const types = [join(__dirname, 'fixtures/counter-types.js')]
type Counter = { increment(by?: number): Promise<number>; value(): Promise<number>; later(ms: number): Promise<number> }

/** A client through `proxy`, recording its session events in order. */
async function viaProxy(address: string, options: ConnectOptions = {}): Promise<Manager & { events: string[] }> {
  const m = await connect(address, { authkey: TEST_KEY, reconnect: { initialDelayMs: 20, maxDelayMs: 100 }, ...options })
  const events: string[] = []
  m.on('disconnect', () => events.push('disconnect'))
  m.on('sessionLost', () => events.push('sessionLost'))
  m.on('reconnect', (info) => events.push(info.resumed ? 'reconnect (resumed)' : 'reconnect (new session)'))
  m.on('close', () => events.push('close'))
  return Object.assign(m, { events })
}

describe('reconnect and resume', () => {
  test('a held lock and a dict survive a dropped link: still ours after the resume, same object count', async () => {
    await using h = await startHarness()
    await using proxy = await startTcpProxy(h.daemon.port)
    await using m = await viaProxy(proxy.address, { name: 'resumer' })
    const other = await h.client({ name: 'other' })
    const lock = await m.lock()
    const d = await m.dict<string, number>()
    await d.set('a', 1)
    expect(await lock.acquire()).toBe(true)
    await m.publish('lock', lock)
    const theirs = await other.lookup<LockProxy>('lock')
    const before = await m.numberOfObjects()
    const sessionId = m.sessionId

    const reconnected = once(m, 'reconnect')
    proxy.cutAll()
    const [info] = await reconnected
    expect(info).toMatchObject({ resumed: true, sessionId, attempts: 1 })
    expect(m.events).toEqual(['disconnect', 'reconnect (resumed)'])
    expect(m.sessionId).toBe(sessionId)

    expect(await lock.locked()).toBe(true)
    expect(await theirs.acquire({ block: false })).toBe(false)
    // Still owned by this session: another session's release is Python's RuntimeError.
    expect(await rejectionOf(theirs.release())).toMatchObject({ remoteName: 'RuntimeError' })
    expect(await d.get('a')).toBe(1)
    await d.set('b', 2)
    expect(await m.numberOfObjects()).toBe(before)
    expect(h.logs.find('session resumed').filter((l) => l.session === sessionId)).toHaveLength(1)

    await lock.release()
    expect(await theirs.acquire({ block: false })).toBe(true)
    await theirs.release()
    await m.unpublish('lock')
  })

  test('calls in flight at the drop fail with ConnectionLostError and are not replayed', async () => {
    await using h = await startHarness({ types })
    await using proxy = await startTcpProxy(h.daemon.port)
    await using m = await viaProxy(proxy.address)
    const c = await m.create<Counter>('Counter', 5)
    const q = await m.queue<string>()
    const parked = track(q.get()) // parked on the daemon
    await eventually(async () => (await m.debugInfo()).sessions[0]?.parkedCalls === 1, 5000, 'the get to park')
    proxy.freeze('down') // requests still reach the daemon; replies do not come back
    const ran = track(c.increment())
    await eventually(() => proxy.dropped.down > 0, 5000, 'the reply to be lost')
    const reconnected = once(m, 'reconnect')
    proxy.cutAll()
    for (const call of [ran, parked]) {
      const err = await rejectionOf(call.promise)
      expect(err).toMatchObject({ name: 'ConnectionLostError', code: 'MANAGERD_ERR_CONNECTION_LOST' })
      expect(err.message).toMatch(/was lost/)
    }
    proxy.thaw()
    await reconnected
    expect(await c.value()).toBe(6) // it ran once, and was not sent again
    // The get parked before the drop was cancelled with it: it does not swallow the next item.
    await q.put('next')
    expect(await q.qsize()).toBe(1)
    expect(await q.get()).toBe('next')
    await Promise.all([c.$release(), q.$release()])
  })

  test('a call made while reconnecting waits and then goes out; one that times out first never goes out', async () => {
    await using h = await startHarness()
    await using proxy = await startTcpProxy(h.daemon.port)
    await using m = await viaProxy(proxy.address, { reconnect: { initialDelayMs: 20, maxDelayMs: 50 } })
    const d = await m.dict<string, number>()
    proxy.refuse(true)
    const disconnected = once(m, 'disconnect')
    proxy.cutAll()
    await disconnected
    expect(m.connected).toBe(false)
    const waiting = track(d.set('k', 1))
    const serverCall = track(m.numberOfObjects())
    const late = await rejectionOf(d.$withTimeout(100).set('late', 1))
    expect(late).toMatchObject({ name: 'CallTimeoutError', code: 'MANAGERD_ERR_CALL_TIMEOUT' })
    await eventually(() => proxy.accepted >= 4, 5000, 'a few refused attempts')
    expect(waiting.settled).toBe(false)
    proxy.refuse(false)
    await waiting.promise
    expect(await serverCall.promise).toBe(1)
    expect(m.connected).toBe(true)
    expect(await d.get('k')).toBe(1)
    expect(await d.has('late')).toBe(false)
    await d.$release()
  })

  test('a proxy released while disconnected is decref’d after the resume', async () => {
    await using h = await startHarness()
    await using proxy = await startTcpProxy(h.daemon.port)
    await using m = await viaProxy(proxy.address)
    const kept = await m.dict()
    const gone = await m.dict()
    proxy.refuse(true)
    const disconnected = once(m, 'disconnect')
    proxy.cutAll()
    await disconnected
    await gone.$release()
    expect(h.daemon.core.table.size).toBe(h.baseline + 2) // nothing sent yet
    const reconnected = once(m, 'reconnect')
    proxy.refuse(false)
    await reconnected
    await eventually(() => h.daemon.core.table.size === h.baseline + 1, 5000, 'the queued decref to free the dict')
    await kept.$release()
  })

  test('a decref lost on its way is sent again after the resume; one that arrived is not', async () => {
    await using h = await startHarness()
    await using proxy = await startTcpProxy(h.daemon.port)
    await using m = await viaProxy(proxy.address)
    const lostOnTheWay = await m.dict()
    const shared = await m.dict()
    await m.publish('shared', shared)
    const second = await m.lookup<typeof shared>('shared') // this session holds two references to it
    await m.unpublish('shared')

    // Client → daemon frozen: the decref never arrives.
    proxy.freeze('up')
    await lostOnTheWay.$release()
    await eventually(() => proxy.dropped.up > 0, 5000, 'the decref to be dropped')
    let reconnected = once(m, 'reconnect')
    proxy.cutAll()
    proxy.thaw()
    await reconnected
    await eventually(() => h.daemon.core.table.size === h.baseline + 1, 5000, 'the decref, sent again, to free the dict')

    // Daemon → client frozen: the decref arrives (one reference of two goes), its reply does not.
    proxy.freeze('down')
    await shared.$release()
    await eventually(() => h.daemon.core.debugInfo().sessions[0]?.references[0]?.count === 1, 5000, 'the decref to arrive')
    reconnected = once(m, 'reconnect')
    proxy.cutAll()
    proxy.thaw()
    await reconnected
    await m.ping()
    // Sent twice, it would have freed the object under the second proxy.
    expect(h.daemon.core.debugInfo().sessions[0]?.references).toEqual([{ id: second.$token.id, typeid: 'dict', count: 1 }])
    expect(await second.size()).toBe(0)
    await second.$release()
  })

  test('a reply lost with the link does not leak the reference it counted', async () => {
    // Heartbeats on: the daemon keeps track of replies not yet known to have arrived.
    await using h = await startHarness({ heartbeatMs: 60_000 })
    await using proxy = await startTcpProxy(h.daemon.port)
    await using m = await viaProxy(proxy.address)
    proxy.freeze('down')
    const created = track(m.dict()) // the daemon creates it and counts it for this session
    await eventually(() => h.daemon.core.table.size === h.baseline + 1, 5000, 'the dict to be created')
    const reconnected = once(m, 'reconnect')
    proxy.cutAll()
    proxy.thaw()
    expect(await rejectionOf(created.promise)).toMatchObject({ code: 'MANAGERD_ERR_CONNECTION_LOST' })
    await reconnected
    expect(h.daemon.core.table.size).toBe(h.baseline)
    expect(h.logs.find('session resumed').at(-1)).toMatchObject({ lostReplies: 1 })
  })

  test('a session the daemon no longer has: sessionLost, old proxies stale, new calls work', async () => {
    await using h = await startHarness({ sessionGraceMs: 200 })
    await using proxy = await startTcpProxy(h.daemon.port)
    await using m = await viaProxy(proxy.address)
    const d = await m.dict<string, number>()
    const lock = await m.lock()
    await lock.acquire()
    const oldSession = m.sessionId
    proxy.refuse(true)
    proxy.cutAll()
    await eventually(() => h.logs.find('session ended').some((l) => l.session === oldSession), 5000, 'the grace period to pass')
    const heldProxyCall = track(d.get('a'))
    const heldManagerCall = track(m.numberOfObjects())
    const lost = once(m, 'sessionLost')
    const reconnected = once(m, 'reconnect')
    proxy.refuse(false)
    const [info] = await lost
    expect(info).toMatchObject({ previousSessionId: oldSession, sessionId: m.sessionId })
    expect(info.reason).toMatch(/grace period/)
    expect(info.error).toMatchObject({ name: 'SessionLostError', code: 'MANAGERD_ERR_SESSION_LOST' })
    expect((await reconnected)[0]).toMatchObject({ resumed: false })
    expect(m.sessionId).not.toBe(oldSession)
    expect(m.events).toEqual(['disconnect', 'sessionLost', 'reconnect (new session)'])

    for (const err of [await rejectionOf(heldProxyCall.promise), await rejectionOf(d.get('a')), await rejectionOf(lock.release())]) {
      expect(err).toMatchObject({ name: 'StaleProxyError', code: 'MANAGERD_ERR_STALE_PROXY' })
      expect(err.message).toMatch(/session .*(lost|ended)/)
    }
    expect(await rejectionOf(m.publish('x', d))).toMatchObject({ code: 'MANAGERD_ERR_STALE_PROXY' })
    expect(await heldManagerCall.promise).toBe(0) // the old session's dict and lock were freed with it
    const fresh = await m.dict<string, number>()
    await fresh.set('a', 1)
    expect(await fresh.get('a')).toBe(1)
    await d.$release() // a stale proxy's release is a no-op, not an error
    await fresh.$release()
  })

  test('reconnect: false — a dropped link closes the manager', async () => {
    await using h = await startHarness()
    await using proxy = await startTcpProxy(h.daemon.port)
    await using m = await viaProxy(proxy.address, { reconnect: false })
    const closed = once(m, 'close')
    proxy.cutAll()
    const [err] = await closed
    expect(err).toMatchObject({ name: 'ConnectionLostError', code: 'MANAGERD_ERR_CONNECTION_LOST' })
    expect(m.events).toEqual(['close'])
    expect(await rejectionOf(m.ping())).toMatchObject({ code: 'MANAGERD_ERR_CONNECTION_LOST' })
    await eventually(() => h.daemon.core.sessions.size === 0 || [...h.daemon.core.sessions.values()].every((s) => s.state !== 'connected'), 5000, 'the daemon to see the drop')
  })

  test('maxAttempts: gives up and closes with the last error', async () => {
    await using h = await startHarness()
    await using proxy = await startTcpProxy(h.daemon.port)
    await using m = await viaProxy(proxy.address, { reconnect: { initialDelayMs: 10, maxDelayMs: 20, maxAttempts: 3 } })
    proxy.refuse(true)
    const closed = once(m, 'close')
    proxy.cutAll()
    const [err] = await closed
    expect(err).toMatchObject({ code: 'MANAGERD_ERR_CONNECTION_LOST' })
    expect((err as Error).message).toMatch(/gave up reconnecting .* after 3 attempts/)
    expect(m.events).toEqual(['disconnect', 'close'])
  })

  test.each([
    [{ initialDelayMs: -1 }, /initialDelayMs must be a number >= 0/],
    [{ maxDelayMs: 10, initialDelayMs: 100 }, /maxDelayMs must be >= initialDelayMs/],
    [{ retries: 3 }, /unknown reconnect option 'retries'/],
  ])('a bad reconnect option %j is refused', async (reconnect, message) => {
    await using h = await startHarness()
    await expect(connect(h.address, { authkey: TEST_KEY, reconnect: reconnect as NonNullable<ConnectOptions['reconnect']> })).rejects.toThrow(message)
  })

  test('a drop with thousands of calls in flight still resumes (the hello lists every lost reply)', async () => {
    await using h = await startHarness()
    await using proxy = await startTcpProxy(h.daemon.port)
    await using m = await viaProxy(proxy.address)
    const q = await m.queue<number>()
    const sessionId = m.sessionId
    // 5000 gets parked on an empty queue: each one's reply is lost with the link.
    const parked = Array.from({ length: 5000 }, () => q.get())
    const failures = Promise.allSettled(parked)
    await eventually(() => h.daemon.core.sessions.get(sessionId)?.parked.size === 5000, 10_000, 'the gets to be parked')
    // A refused resume closes the manager: fail at once rather than wait for a reconnect.
    const outcome = Promise.race([once(m, 'reconnect'), once(m, 'close').then(([err]) => Promise.reject(err as Error))])
    proxy.cutAll()
    const [info] = await outcome
    expect(info).toMatchObject({ resumed: true, sessionId })
    expect((await failures).every((r) => r.status === 'rejected' && r.reason.code === 'MANAGERD_ERR_CONNECTION_LOST')).toBe(true)
    // None of the old gets can take an item now; the resumed session works on.
    await q.put(7)
    expect(await q.get()).toBe(7)
    expect(h.daemon.core.sessions.get(sessionId)?.parked.size).toBe(0)
  })
})
