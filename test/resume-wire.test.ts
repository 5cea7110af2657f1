// The resume rules on the wire (protocol/PROTOCOL.md §7), spoken by hand: a reply goes only to
// the connection that carried its request, so request ids may be used again after a resume; a
// takeover cancels the old connection's parked calls and ignores what it still sends; hello.lost
// releases what lost replies counted; lastReqId tells what arrived.
import { join } from 'node:path'
import { CloseCode, ReplyKind } from '../protocol'
import { eventually, startHarness } from './helpers/harness'
import { rawSession } from './helpers/raw-session'

const types = [join(__dirname, 'fixtures/counter-types.js')]
const tokenId = (reply: unknown[]): string => (reply[2] as { token: { id: string } }).token.id

describe('resume on the wire', () => {
  test('a reply to a call of an earlier connection is never sent; its request id can be used again', async () => {
    await using h = await startHarness({ types })
    const a = await rawSession(h.address, { name: 'raw' })
    expect(a.welcome).toMatchObject({ resumed: false, lastReqId: 0, bootId: h.daemon.core.table.bootId })
    const counter = tokenId(await a.call(1, null, 'create', ['Counter', 5]))
    a.send([2, counter, 'later', [300]]) // parked for 300 ms
    const session = h.daemon.core.sessions.get(a.welcome.sessionId)!
    await eventually(() => session.parked.size === 1, 5000, 'the call to park')
    a.sock.ws.terminate()
    await eventually(() => session.state === 'detached', 5000, 'the daemon to see the drop')

    const b = await rawSession(h.address, { resume: a.welcome.resumeToken })
    expect(b.welcome).toMatchObject({ resumed: true, sessionId: a.welcome.sessionId, lastReqId: 2 })
    // Id 2 again: the old call is no longer in flight for this connection.
    expect(await b.call(2, counter, 'value')).toEqual([2, ReplyKind.RETURN, 5])
    await eventually(() => h.logs.find('reply to a call of an earlier connection dropped').length === 1, 5000, 'the old call to finish')
    expect(await b.call(3, null, 'numberOfObjects')).toEqual([3, ReplyKind.RETURN, 1])
    expect(b.sock.frames).toHaveLength(4) // challenge, welcome, and the two replies: nothing stale
    expect(await b.call(4, null, 'decref', [counter])).toEqual([4, ReplyKind.RETURN, null])
    b.sock.ws.close(CloseCode.NORMAL)
    await b.sock.closed
  })

  test('a takeover (the daemon still thought the old connection alive) cancels its parked calls and ignores it', async () => {
    await using h = await startHarness()
    const other = await h.client({ name: 'other' })
    const busy = await other.lock()
    await busy.acquire()
    await other.publish('busy', busy)
    const a = await rawSession(h.address, { name: 'raw' })
    const mine = tokenId(await a.call(1, null, 'create', ['Lock']))
    expect(await a.call(2, mine, 'acquire')).toEqual([2, ReplyKind.RETURN, true])
    const busyId = tokenId(await a.call(3, null, 'lookup', ['busy']))
    a.send([4, busyId, 'acquire', []]) // parked: `other` holds it
    await eventually(() => h.daemon.core.sessions.get(a.welcome.sessionId)!.parked.size === 1, 5000, 'the acquire to park')

    const b = await rawSession(h.address, { resume: a.welcome.resumeToken })
    expect(b.welcome).toMatchObject({ resumed: true, lastReqId: 4 })
    a.send([5, null, 'create', ['dict']]) // the old connection speaks for nobody now
    expect((await a.sock.closed)[0]).toBe(CloseCode.SESSION_ENDED)
    expect(h.logs.find('session resumed').at(-1)).toMatchObject({ takeover: true })
    expect(h.daemon.core.table.size).toBe(h.baseline + 2) // the two locks; no dict

    // The parked acquire went with the old connection: releasing does not hand the lock to it.
    await busy.release()
    expect(await busy.acquire({ block: false })).toBe(true)
    // The lock acquired before the takeover is still this session's.
    expect(await b.call(6, mine, 'locked')).toEqual([6, ReplyKind.RETURN, true])
    expect(await b.call(7, mine, 'release')).toEqual([7, ReplyKind.RETURN, undefined])
    await busy.release()
    await other.unpublish('busy')
    b.sock.ws.close(CloseCode.NORMAL)
    await b.sock.closed
  })

  test('hello.lost releases the references of replies the client never got, and only those', async () => {
    await using h = await startHarness({ heartbeatMs: 60_000 }) // heartbeats on: the daemon keeps the log
    const a = await rawSession(h.address)
    const first = tokenId(await a.call(1, null, 'create', ['dict']))
    const second = tokenId(await a.call(2, null, 'create', ['dict']))
    a.sock.ws.terminate()
    const session = h.daemon.core.sessions.get(a.welcome.sessionId)!
    await eventually(() => session.state === 'detached', 5000, 'the daemon to see the drop')
    // The client says the reply to request 1 never came (and 99, which counted nothing).
    const b = await rawSession(h.address, { resume: a.welcome.resumeToken, lost: [1, 99] })
    expect(b.welcome.resumed).toBe(true)
    expect(h.logs.find('session resumed').at(-1)).toMatchObject({ lostReplies: 1 })
    expect(h.daemon.core.table.get(first)).toBeUndefined()
    expect([...session.refs].map(([e, n]) => [e.id, n])).toEqual([[second, 1]])
    expect(await b.call(3, null, 'decref', [second])).toEqual([3, ReplyKind.RETURN, null])
    b.sock.ws.close(CloseCode.NORMAL)
    await b.sock.closed
  })

  test('a reply confirmed by a later pong is not released, even if named lost', async () => {
    await using h = await startHarness({ heartbeatMs: 100 })
    const a = await rawSession(h.address)
    const id = tokenId(await a.call(1, null, 'create', ['dict']))
    const session = h.daemon.core.sessions.get(a.welcome.sessionId)!
    expect(session.deliveryLog!.size).toBe(1)
    await eventually(() => session.deliveryLog!.size === 0, 5000, 'a ping and its pong') // the ws peer answers pings by itself
    a.sock.ws.terminate()
    await eventually(() => session.state === 'detached', 5000, 'the daemon to see the drop')
    const b = await rawSession(h.address, { resume: a.welcome.resumeToken, lost: [1] })
    expect(h.logs.find('session resumed').at(-1)).toMatchObject({ lostReplies: 0 })
    expect(h.daemon.core.table.get(id)).toBeDefined()
    expect(await b.call(2, null, 'decref', [id])).toEqual([2, ReplyKind.RETURN, null])
    b.sock.ws.close(CloseCode.NORMAL)
    await b.sock.closed
  })

  test.each([
    ['an unknown token', 'not-a-token'],
    ['a token of an ended session', null],
  ])('resuming with %s gives a new session', async (_name, token) => {
    await using h = await startHarness()
    let resume = token
    if (resume === null) {
      const a = await rawSession(h.address)
      resume = a.welcome.resumeToken
      a.sock.ws.close(CloseCode.NORMAL) // goodbye: the session ends at once
      await a.sock.closed
    }
    const b = await rawSession(h.address, { resume, lost: [1, 2, 3] })
    expect(b.welcome).toMatchObject({ resumed: false, lastReqId: 0 })
    expect(b.welcome.resumeToken).not.toBe(resume)
    b.sock.ws.close(CloseCode.NORMAL)
    await b.sock.closed
  })
})
