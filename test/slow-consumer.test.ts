// A client that stops reading its replies is shed (4006) once --max-buffered-bytes are queued for
// it, with a log line, and the daemon stops producing for it: what it sends out stays bounded
// however much the client asks for. A bystander session is served throughout.
import type { Socket } from 'node:net'
import { CloseCode } from '../protocol'
import { eventually, startHarness, type Harness } from './helpers/harness'
import { bystander, enc, proxyId, wireSession, type WireSocket } from './helpers/wire'

const MAX_BUFFERED = 1024 * 1024
const VALUE_BYTES = 256 * 1024

/** A hostile session holding a list whose item 0 is a 256 KiB string, its socket no longer read. */
async function pausedReader(h: Harness): Promise<{ sock: WireSocket; list: string }> {
  const sock = await wireSession(h.address)
  const list = proxyId(await sock.call(null, 'create', ['list', ['x'.repeat(VALUE_BYTES)]]))
  ;(sock.ws as unknown as { _socket: Socket })._socket.pause()
  return { sock, list }
}

async function expectShed(h: Harness, sock: WireSocket, bytesOutBefore: number, requested: number): Promise<void> {
  await eventually(() => h.logs.find('slow consumer shed').length === 1, 10_000, 'the slow consumer to be shed')
  const [line] = h.logs.find('slow consumer shed')
  // Shed at the first write past the cap: at most the cap plus one outbox flush (1 MiB) and one reply.
  expect(line!.bufferedBytes).toBeGreaterThan(MAX_BUFFERED)
  expect(line!.bufferedBytes).toBeLessThanOrEqual(MAX_BUFFERED + 1024 * 1024 + VALUE_BYTES + 1024)
  expect(line!.session).toBe(sock.welcome.sessionId)
  // The session ended at once (not after a grace period), and the daemon stopped producing for it.
  expect([...h.daemon.core.sessions.values()].map((s) => s.id)).not.toContain(sock.welcome.sessionId)
  const sent = h.daemon.stats.bytesOut - bytesOutBefore
  expect(sent).toBeLessThan(requested / 4)
  // Reading again, the client finds what was queued, then the close.
  ;(sock.ws as unknown as { _socket: Socket })._socket.resume()
  expect(await sock.closed).toEqual([CloseCode.SLOW_CONSUMER, 'slow consumer: replies are not being read'])
  await eventually(() => h.daemon.connections.size === 1, 5000, 'the connection to go')
}

describe('slow consumers', () => {
  test('a client that stops reading and keeps calling is shed with 4006 once --max-buffered-bytes are queued', async () => {
    await using h = await startHarness({ maxBufferedBytes: MAX_BUFFERED })
    const b = await bystander(await h.client())
    const { sock, list } = await pausedReader(h)
    const before = h.daemon.stats.bytesOut
    const calls = 800 // 200 MiB of replies asked for, one call per frame
    for (let i = 0; i < calls; i++) sock.request(i, list, 'get', [0])
    await expectShed(h, sock, before, calls * VALUE_BYTES)
    await b.check()
    await eventually(() => h.daemon.core.table.size === 1, 5000, "the hostile session's list to be freed")
    await b.dict.$release()
  })

  test('one frame asking for 500 MiB of replies is cut short: the rest of the batch is not run', async () => {
    await using h = await startHarness({ maxBufferedBytes: MAX_BUFFERED })
    const b = await bystander(await h.client())
    const { sock, list } = await pausedReader(h)
    const before = h.daemon.stats.bytesOut
    const dispatchedBefore = h.daemon.core.dispatcher.counts.object
    const calls = 2000
    sock.sendRaw(enc.encode(Array.from({ length: calls }, (_, i) => [i, list, 'get', [0]])))
    await expectShed(h, sock, before, calls * VALUE_BYTES)
    expect(h.daemon.core.dispatcher.counts.object - dispatchedBefore).toBeLessThan(calls / 4)
    await b.check()
    await b.dict.$release()
  })

  test('a reader that keeps up is never shed, however much it reads in all', async () => {
    await using h = await startHarness({ maxBufferedBytes: MAX_BUFFERED })
    const sock = await wireSession(h.address)
    const list = proxyId(await sock.call(null, 'create', ['list', ['x'.repeat(VALUE_BYTES)]]))
    // 30 MiB in all, 768 KiB per frame (the replies to one frame count against the cap at once)
    for (let round = 0; round < 40; round++) {
      sock.sendRaw(enc.encode(Array.from({ length: 3 }, (_, i) => [i, list, 'get', [0]])))
      for (let i = 0; i < 3; i++) expect((await sock.message())[1]).toBe('#RETURN')
    }
    expect(h.logs.find('slow consumer shed')).toHaveLength(0)
    sock.ws.close(1000)
    await sock.closed
  })
})
