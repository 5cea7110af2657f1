// Malformed input, one case per row: each row sends its frames on a raw authenticated socket and
// gets the answer PROTOCOL.md documents (#TRACEBACK with its code, or a close code), while a
// bystander session on the same daemon keeps being served with its objects unchanged.
import { CloseCode, ErrorCodes, Tag } from '../protocol'
import { eventually, startHarness } from './helpers/harness'
import { rawSocket } from './helpers/raw-client'
import { bystander, dec, enc, proxyId, rawUpgrade, wireSession, type WireSocket } from './helpers/wire'

interface Ctx {
  dict: string
  queue: string
  list: string
}
type Expect =
  | { reply: number; kind: string; payload?: unknown }
  | { traceback: number; code: string; message?: RegExp }
  | { frame: unknown[] }
  | { close: number; reason?: RegExp }
type Row = [name: string, frames: (c: Ctx) => Array<Uint8Array | string>, expect: Expect[]]

const MAX_FRAME = 64 * 1024
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex')
const req = (...m: unknown[]): Buffer => enc.encode(m)
/** `[1, null, 'dummy', [<value bytes>]]` around raw value bytes. */
const dummyWith = (value: Uint8Array): Buffer => Buffer.concat([hex('94 01 c0 a5'), Buffer.from('dummy'), hex('91'), value])
/** Request 1: `dict.set(key, <value bytes>)`. */
/** A reference extension (code 1) to [typeid, id], as a client writes it. */
const refExt = (typeid: string, id: string): Buffer => {
  const payload = enc.encode([typeid, id])
  return Buffer.concat([Buffer.from([0xc7, payload.length, 0x01]), payload])
}
const setRaw = (dict: string, key: string, value: Uint8Array): Buffer =>
  Buffer.concat([hex('94 01'), enc.encode(dict), enc.encode('set'), hex('92'), enc.encode(key), value])
/** Request 2: `list.extend([<deep>, <deep>])`, two arrays nested `n` deep. */
const listOfDeep = (list: string, n: number): Buffer =>
  Buffer.concat([hex('94 02'), enc.encode(list), enc.encode('extend'), hex('91 92'), deepArrays(n), deepArrays(n)])
const deepArrays = (n: number, leaf = hex('01')): Buffer => Buffer.concat([Buffer.alloc(n, 0x91), leaf])
const deepMaps = (n: number): Buffer => Buffer.concat([Buffer.alloc(n * 3).fill(Buffer.from([0x81, 0xa1, 0x6b])), hex('01')])
/** n Map extensions, each an ext8 whose payload is the next: c7 len 02 92 01 <next>. */
function deepMapExts(n: number): Buffer {
  let inner = hex('c0')
  for (let i = 0; i < n; i++) {
    const body = Buffer.concat([hex('92 01'), inner])
    const header = body.length < 0x100 ? hex(`c7 ${body.length.toString(16).padStart(2, '0')} 02`) : Buffer.from([0xc9, ...u32(body.length), 0x02])
    inner = Buffer.concat([header, body])
  }
  return inner
}
const u32 = (n: number): number[] => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]
const bad = (reqId: number, message?: RegExp): Expect => ({ traceback: reqId, code: 'MANAGERD_ERR_BAD_ARGUMENTS', ...(message ? { message } : {}) })
const closed = (code: number, reason?: RegExp): Expect => ({ close: code, ...(reason ? { reason } : {}) })

const rows: Row[] = [
  ['not msgpack (0xc1)', () => [hex('c1')], [closed(CloseCode.INVALID_PAYLOAD, /not a MessagePack value/)]],
  ['a truncated frame', () => [hex('94 01 c0')], [closed(CloseCode.INVALID_PAYLOAD, /Unexpected end/)]],
  ['trailing bytes', () => [Buffer.concat([req(1, null, 'dummy', []), hex('00')])], [closed(CloseCode.INVALID_PAYLOAD, /end of buffer not reached/)]],
  ['an empty frame', () => [Buffer.alloc(0)], [closed(CloseCode.INVALID_PAYLOAD)]],
  ['a map, not an array', () => [enc.encode({ reqId: 1 })], [closed(CloseCode.PROTOCOL_ERROR, /non-empty array/)]],
  ['a bare number', () => [enc.encode(5)], [closed(CloseCode.PROTOCOL_ERROR, /non-empty array/)]],
  ['an empty array', () => [req()], [closed(CloseCode.PROTOCOL_ERROR, /non-empty array/)]],
  ['a request of 3 elements', () => [req(1, null, 'dummy')], [bad(1, /a request is \[reqId/)]],
  ['a request of 5 elements', () => [req(1, null, 'dummy', [], 0)], [bad(1, /a request is \[reqId/)]],
  ['a batch holding a non-message', () => [req([1, null, 'dummy', []], 5)], [{ reply: 1, kind: '#RETURN', payload: null }, closed(CloseCode.PROTOCOL_ERROR, /batch may only hold messages/)]],
  ['a batch holding an empty array', () => [req([1, null, 'dummy', []], [])], [{ reply: 1, kind: '#RETURN', payload: null }, closed(CloseCode.PROTOCOL_ERROR, /batch may only hold messages/)]],
  ['a string request id', () => [req('1', null, 'dummy', [])], [closed(CloseCode.PROTOCOL_ERROR, /unexpected message 1/)]],
  ['a numeric method', () => [req(1, null, 5, [])], [bad(1)]],
  ['a numeric target', () => [req(1, 5, 'get', [])], [bad(1)]],
  ['args not an array', () => [req(1, null, 'dummy', 5)], [bad(1)]],
  ['args a map', () => [req(1, null, 'dummy', { 0: 1 })], [bad(1)]],
  ['request id 2^64 - 1', () => [Buffer.concat([hex('94 cf ffffffffffffffff c0 a5'), Buffer.from('dummy'), hex('90')])], [closed(CloseCode.PROTOCOL_ERROR, /request id must be an integer from 0 to 2\^53 - 1/)]],
  ['request id -1', () => [req(-1, null, 'dummy', [])], [closed(CloseCode.PROTOCOL_ERROR, /request id/)]],
  ['request id 1.5', () => [req(1.5, null, 'dummy', [])], [closed(CloseCode.PROTOCOL_ERROR, /request id/)]],
  ['request id 2^53', () => [req(2 ** 53, null, 'dummy', [])], [closed(CloseCode.PROTOCOL_ERROR, /request id/)]],
  ['request id NaN', () => [req(NaN, null, 'dummy', [])], [closed(CloseCode.PROTOCOL_ERROR, /request id/)]],
  ['request id 2^53 - 1 is fine', () => [req(2 ** 53 - 1, null, 'dummy', [])], [{ reply: 2 ** 53 - 1, kind: '#RETURN', payload: null }]],
  ['2^64 - 1 as an argument round-trips as a BigInt', (c) => [req(1, c.dict, 'set', ['big', 2n ** 64n - 1n]), req(2, c.dict, 'get', ['big'])], [{ reply: 1, kind: '#RETURN' }, { reply: 2, kind: '#RETURN', payload: 2n ** 64n - 1n }]],
  ['-2^63 as an argument round-trips as a BigInt', (c) => [req(1, c.dict, 'set', ['neg', -(2n ** 63n)]), req(2, c.dict, 'get', ['neg'])], [{ reply: 1, kind: '#RETURN' }, { reply: 2, kind: '#RETURN', payload: -(2n ** 63n) }]],
  ['10 000 nested arrays', () => [dummyWith(deepArrays(10_000))], [closed(CloseCode.INVALID_PAYLOAD, /nested too deeply/)]],
  ['10 000 nested maps', () => [dummyWith(deepMaps(10_000))], [closed(CloseCode.INVALID_PAYLOAD, /nested too deeply/)]],
  ['5000 nested Map extensions', () => [dummyWith(deepMapExts(5000))], [closed(CloseCode.INVALID_PAYLOAD, /nested too deeply/)]],
  ['1500 nested arrays with an unknown extension at the bottom', () => [dummyWith(deepArrays(1500, hex('d4 55 00')))], [bad(1, /extension type 85/)]],
  ['1500 nested arrays: stored, then too deep to send back', (c) => [setRaw(c.dict, 'deep', deepArrays(1500)), req(2, c.dict, 'get', ['deep'])], [{ reply: 1, kind: '#RETURN' }, { reply: 2, kind: '#UNSERIALIZABLE', payload: { repr: expect.stringMatching(/nested deeper than 1000 levels/) } }]],
  ['sorting two values nested 600 deep', (c) => [req(1, c.list, 'extend', [[]]), listOfDeep(c.list, 600), req(3, c.list, 'sort', [])], [{ reply: 1, kind: '#RETURN' }, { reply: 2, kind: '#RETURN' }, { reply: 3, kind: '#ERROR', payload: expect.objectContaining({ name: 'RangeError', message: 'values nested too deeply to compare' }) }]],
  ['comparing values nested 600 deep (index)', (c) => [listOfDeep(c.list, 600), Buffer.concat([hex('94 03'), enc.encode(c.list), enc.encode('index'), hex('91'), deepArrays(600)])], [{ reply: 2, kind: '#RETURN' }, { reply: 3, kind: '#ERROR', payload: expect.objectContaining({ name: 'RangeError' }) }]],
  ['900 nested arrays round-trip', (c) => [setRaw(c.dict, 'k', deepArrays(900)), req(2, c.dict, 'get', ['k'])], [{ reply: 1, kind: '#RETURN' }, { reply: 2, kind: '#RETURN', payload: expect.any(Array) }]],
  ['an unknown extension (0x55)', () => [dummyWith(hex('d4 55 00'))], [bad(1, /extension type 85/)]],
  ["msgpackr's own extension (0x73)", () => [dummyWith(hex('d4 73 90'))], [bad(1, /extension type 115/)]],
  ['a negative extension (-16)', () => [dummyWith(hex('d4 f0 00'))], [bad(1, /extension type -16/)]],
  ['a malformed reference (3 fields)', () => [dummyWith(hex('c7 04 01 93 c0 c0 c0'))], [closed(CloseCode.INVALID_PAYLOAD, /malformed reference/)]],
  ['an extension whose value runs past its payload', () => [dummyWith(Buffer.concat([hex('dc 00 64'), Buffer.alloc(300).fill(hex('c7 00 06')), hex('90')]))], [closed(CloseCode.INVALID_PAYLOAD, /exactly one value/)]],
  ['a reference to no object', () => [dummyWith(Buffer.concat([hex('c7 0d 01 92 a4'), Buffer.from('dict'), hex('a6'), Buffer.from('nope.1')]))], [{ traceback: 1, code: 'MANAGERD_ERR_UNKNOWN_OBJECT' }]],
  ['a map with an array as key', () => [dummyWith(hex('81 91 01 01'))], [closed(CloseCode.INVALID_PAYLOAD, /Invalid property type/)]],
  ['an array header claiming 2^32 - 1 items', () => [dummyWith(hex('dd ffffffff 01'))], [closed(CloseCode.INVALID_PAYLOAD, /Unexpected end/)]],
  ['a string header claiming 4 GiB', () => [dummyWith(hex('db ffffffff 61'))], [closed(CloseCode.INVALID_PAYLOAD, /Unexpected end/)]],
  ['a duplicate request id while the first is parked', (c) => [req(7, c.queue, 'get', []), req(7, c.queue, 'get', []), req(8, c.queue, 'put', ['x'])], [bad(7, /request id 7 is already in flight/), { reply: 8, kind: '#RETURN' }, { reply: 7, kind: '#RETURN', payload: 'x' }]],
  ['an unknown server method', () => [req(1, null, 'format_disk', [])], [{ traceback: 1, code: 'MANAGERD_ERR_UNKNOWN_METHOD' }]],
  ['a server method name with a trailing NUL', () => [req(1, null, 'shutdown\0', [])], [{ traceback: 1, code: 'MANAGERD_ERR_UNKNOWN_METHOD' }]],
  ['#ANSWER after the handshake', () => [req(Tag.ANSWER, Buffer.alloc(32), Buffer.alloc(32), {})], [closed(CloseCode.PROTOCOL_ERROR, /unexpected message #ANSWER/)]],
  ['#PING is answered with #PONG', () => [req(Tag.PING, 42)], [{ frame: [Tag.PONG, 42] }]],
  // A reference in a #PONG would hand the client a proxy no reference was counted for.
  ['#PING carrying a reference to no object', () => [Buffer.concat([hex('92 a5'), Buffer.from(Tag.PING), hex('c7 0d 01 92 a4'), Buffer.from('dict'), hex('a6'), Buffer.from('nope.1')])], [closed(CloseCode.PROTOCOL_ERROR, /#PING payload/)]],
  ['#PING carrying a reference to a live object', (c) => [Buffer.concat([hex('92 a5'), Buffer.from(Tag.PING), refExt('dict', c.dict)])], [closed(CloseCode.PROTOCOL_ERROR, /#PING payload/)]],
  ['a text frame', () => ['[1, null, "dummy", []]'], [closed(CloseCode.UNSUPPORTED_DATA, /binary frames only/)]],
  ['a frame one byte over the maximum', () => [Buffer.alloc(MAX_FRAME + 1, 0x90)], [closed(CloseCode.MESSAGE_TOO_BIG)]],
]

async function expectOutcome(sock: WireSocket, expectations: Expect[]): Promise<void> {
  for (const e of expectations) {
    if ('close' in e) {
      const [code, reason] = await sock.closed
      expect(code).toBe(e.close)
      if (e.reason !== undefined) expect(reason).toMatch(e.reason)
      continue
    }
    const m = await sock.message()
    if ('frame' in e) expect(m).toEqual(e.frame)
    else if ('traceback' in e) {
      const message = e.message === undefined ? expect.any(String) : expect.stringMatching(e.message)
      const name = Object.entries(ErrorCodes).find(([, [code]]) => code === e.code)![0]
      expect(m).toEqual([e.traceback, '#TRACEBACK', expect.objectContaining({ name, code: e.code, message })])
    } else {
      expect(m.slice(0, 2)).toEqual([e.reply, e.kind])
      if ('payload' in e) expect(m[2]).toEqual(e.payload)
    }
  }
}

describe('hostile input on an authenticated socket', () => {
  test.each(rows)('%s', async (_name, frames, expectations) => {
    await using h = await startHarness({ maxFrameBytes: MAX_FRAME })
    const b = await bystander(await h.client({ name: 'bystander' }))
    const sock = await wireSession(h.address)
    try {
      const create = async (typeid: string): Promise<string> => proxyId(await sock.call(null, 'create', [typeid]))
      const ctx: Ctx = { dict: await create('dict'), queue: await create('Queue'), list: await create('list') }
      for (const frame of frames(ctx)) sock.sendRaw(frame)
      await expectOutcome(sock, expectations)
      await b.check()
    } finally {
      sock.ws.close(1000)
      await sock.closed
    }
    // the hostile session ended and released what it held; the bystander's dict is all that is left
    await eventually(() => h.daemon.core.sessions.size === 1 && h.daemon.core.table.size === 1, 5000, 'the hostile session to end')
    await b.dict.$release()
  })
})

type PreauthRow = [name: string, send: Uint8Array | string, failure: boolean, code: number]
const preauthRows: PreauthRow[] = [
  ['a call before the handshake', req(1, null, 'dummy', []), true, CloseCode.AUTH_FAILED],
  ['garbage before the handshake', hex('c1 ff 00'), true, CloseCode.AUTH_FAILED],
  ['an answer over 64 KiB', req(Tag.ANSWER, Buffer.alloc(32), Buffer.alloc(32), { name: 'x'.repeat(70_000) }), true, CloseCode.AUTH_FAILED],
  ['10 000 nested arrays as the answer', deepArrays(10_000), true, CloseCode.AUTH_FAILED],
  ['an answer holding an extension whose value runs past it', Buffer.concat([hex('dc 00 64'), Buffer.alloc(300).fill(hex('c7 00 06')), hex('90')]), true, CloseCode.AUTH_FAILED],
  ['a text frame before the handshake', 'hello', false, CloseCode.UNSUPPORTED_DATA],
]

describe('hostile input before the handshake', () => {
  test.each(preauthRows)('%s', async (_name, frame, failure, code) => {
    await using h = await startHarness({ authThrottleMs: 1 })
    const b = await bystander(await h.client({ name: 'bystander' }))
    const sock = await rawSocket(h.address)
    expect((dec.decode(await sock.next()) as unknown[])[0]).toBe(Tag.CHALLENGE)
    sock.ws.send(frame, { binary: typeof frame !== 'string' })
    if (failure) expect(dec.decode(await sock.next())).toEqual([Tag.FAILURE, 'authentication failed'])
    expect((await sock.closed)[0]).toBe(code)
    expect(h.daemon.core.sessions.size).toBe(1)
    await b.check()
    await b.dict.$release()
  })

  test.each([
    ['a wrong subprotocol', 'managerd.v0'],
    ['no subprotocol', null],
  ])('%s: the upgrade completes, then close 1002', async (_name, protocol) => {
    await using h = await startHarness()
    const b = await bystander(await h.client({ name: 'bystander' }))
    const { status, closeCode } = await rawUpgrade(h.daemon.port, protocol)
    expect(status).toBe('HTTP/1.1 101 Switching Protocols')
    expect(closeCode).toBe(CloseCode.PROTOCOL_ERROR)
    await b.check()
    await b.dict.$release()
  })
})
