// Property-based fuzzing of the daemon over real sockets (fast-check): authenticated sessions get
// well-shaped requests with random content and "wild" frames (random bytes and msgpack, mutated
// frames, crafted extensions, deep nesting); unauthenticated sockets get random answers. The
// daemon must stay up, answer a bystander whose objects never change, close only with documented
// codes, never hit an internal error, and give its memory and objects back when the sessions end.
//
// shutdown() stays in the alphabet (its arguments get fuzzed too) but the daemon's shutdown hook
// is replaced by a counter: shutting down is an authorised operation, not hostile input.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import fc from 'fast-check'
import { CloseCode, Tag, clientProof, isReplyKind, newNonce } from '../protocol'
import { arbitraries, MAX_FUZZ_FRAME, safeEncode, TYPEIDS, type FuzzWorld } from './helpers/fuzz-arbitraries'
import { TEST_KEY, eventually, startHarness, type Harness } from './helpers/harness'
import { rawSocket } from './helpers/raw-client'
import { bystander, dec, enc, wireSession, type Bystander, type WireSocket } from './helpers/wire'

const CI = process.env.CI === 'true'
const AUTH_FRAMES = CI ? 100_000 : 15_000
const HANDSHAKES = CI ? 1_500 : 300
const SHAPED_PER_RUN = 100
const RUNS_PER_SESSION = 40
/** Close codes a fuzzed connection may get: protocol violations, and the client's own 1000. */
const EXPECTED_CLOSES = new Set<number>([CloseCode.NORMAL, CloseCode.PROTOCOL_ERROR, CloseCode.UNSUPPORTED_DATA, CloseCode.INVALID_PAYLOAD, CloseCode.MESSAGE_TOO_BIG])

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const problems: string[] = []
const onRejection = (err: unknown): void => void problems.push(`unhandled rejection: ${String(err)}`)
beforeAll(() => process.on('unhandledRejection', onRejection))
afterAll(() => process.off('unhandledRejection', onRejection))

/** Creates enough objects that no fuzz object's id is one edited byte away from the bystander's. */
async function idGap(h: Harness): Promise<void> {
  const m = await h.client({ name: 'gap' })
  for (let i = 0; i < 1300; i += 100) await Promise.all(Array.from({ length: 100 }, async () => (await m.dict()).$release()))
  await m.close()
}

/** A fuzz session with one object of every creatable type to aim at. */
async function openFuzzSession(h: Harness, world: FuzzWorld): Promise<WireSocket> {
  const sock = await wireSession(h.address, TEST_KEY, { name: 'fuzz' })
  world.objects = world.objects.slice(-5) // a few ids of the last session's objects, freed now: stale targets
  const args: Record<string, unknown[]> = { Barrier: [2], Value: ['i', 7], Array: ['d', 4] }
  const typeids = TYPEIDS.filter((t) => t !== 'Iterator')
  // one frame, one round trip
  sock.sendRaw(enc.encode(typeids.map((typeid, i) => [i, null, 'create', [typeid, ...(args[typeid] ?? [])]])))
  for (let i = 0; i < typeids.length; i++) {
    const reply = await sock.message()
    const { token, exposed } = reply[2] as { token: { id: string }; exposed: string[] }
    world.objects.push({ typeid: typeids[reply[0] as number]!, id: token.id, exposed })
    for (const m of exposed) world.methods.add(m)
  }
  return sock
}

/** Waits for `#PONG n`; false if the socket closed first. */
async function pong(sock: WireSocket, n: number, replies: Map<number, number>): Promise<boolean> {
  for (;;) {
    let m: unknown[]
    try {
      m = await sock.message(20_000)
    } catch {
      return false
    }
    if (m[0] === Tag.PONG && m[1] === n) return true
    if (typeof m[0] === 'number') {
      if (!isReplyKind(m[1])) problems.push(`reply of unknown kind ${JSON.stringify(m[1])}`)
      if (m[0] >= 2 ** 40) replies.set(m[0], (replies.get(m[0]) ?? 0) + 1)
    }
  }
}

describe('fuzz', () => {
  test(`authenticated sessions: ${AUTH_FRAMES} frames`, async () => {
    await using h = await startHarness({ maxFrameBytes: MAX_FUZZ_FRAME, maxInFlight: 1000 })
    let shutdowns = 0
    h.daemon.core.onShutdownRequest = () => void shutdowns++
    const b = await bystander(await h.client({ name: 'bystander' }))
    await idGap(h)
    gc()
    const heapBefore = process.memoryUsage().heapUsed
    const started = Date.now()
    const world: FuzzWorld = { objects: [], methods: new Set() }
    const arbs = arbitraries(world)
    const stats = { frames: 0, sessions: 0, closes: new Map<number, number>(), replies: 0 }
    const replies = new Map<number, number>()
    let sock: WireSocket | null = null
    let runsInSession = 0
    let reqId = 2 ** 40
    let ping = 0

    /** The session is over (closed by us or by the daemon): no request was answered twice, nothing is left. */
    const sessionOver = async (code: number): Promise<void> => {
      sock = null
      stats.closes.set(code, (stats.closes.get(code) ?? 0) + 1)
      for (const [id, n] of replies) if (n > 1) problems.push(`request ${id} got ${n} replies`)
      stats.replies += replies.size
      replies.clear()
      await eventually(() => h.daemon.core.sessions.size === 1, 5000, 'the fuzz session to end')
    }
    const endSession = async (): Promise<void> => {
      if (sock === null) return
      const s: WireSocket = sock
      s.ws.close(1000)
      await sessionOver((await s.closed)[0])
      await b.check()
    }
    // Sessions are (re)opened at the end of a run: fast-check generates the next run's values
    // before it starts, and they should aim at the objects of the session they are sent on.
    const newSession = async (): Promise<WireSocket> => {
      stats.sessions++
      runsInSession = 0
      return (sock = await openFuzzSession(h, world))
    }
    await newSession()

    await fc.assert(
      fc.asyncProperty(fc.array(arbs.request, { minLength: SHAPED_PER_RUN, maxLength: SHAPED_PER_RUN }), arbs.wild, async (requests, wild) => {
        const s: WireSocket = sock!
        for (const [target, method, args] of requests) s.sendRaw(safeEncode([reqId++, target, method, args]))
        s.sendRaw(enc.encode([Tag.PING, ++ping]))
        // Requests of the right shape never cost the connection, whatever they hold.
        expect(await pong(s, ping, replies)).toBe(true)
        s.sendRaw(wild)
        s.sendRaw(enc.encode([Tag.PING, ++ping]))
        stats.frames += requests.length + 1
        if (!(await pong(s, ping, replies))) {
          // closed by the daemon, for a documented reason: reopened on the next run
          const [code] = await s.closed
          expect(EXPECTED_CLOSES).toContain(code)
          await sessionOver(code)
        } else if (++runsInSession >= RUNS_PER_SESSION) {
          await endSession()
        }
        if (sock === null) await newSession()
        if (ping % 40 === 0) await b.check()
      }),
      { numRuns: Math.ceil(AUTH_FRAMES / (SHAPED_PER_RUN + 1)), endOnFailure: true },
    )
    await endSession()
    const seconds = (Date.now() - started) / 1000

    await b.check()
    expect(problems).toEqual([])
    expect(h.logs.find('internal error on a connection')).toEqual([])
    // What the fuzz sessions published outlives them by design; unpublish it, then all is freed.
    for (const name of [...h.daemon.core.names.keys()]) h.daemon.core.unpublish(name)
    await eventually(() => {
      h.daemon.core.table.collect()
      return h.daemon.core.table.size === 1
    }, 5000, 'the object count to return to the bystander alone')
    await new Promise((r) => setImmediate(r))
    gc()
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore
    expect(heapGrowth).toBeLessThan(64 * 1024 * 1024)
    expect(stats.frames).toBeGreaterThanOrEqual(AUTH_FRAMES)
    console.log(
      `fuzz: ${stats.frames} frames in ${stats.sessions} sessions (${stats.replies} replies) in ${seconds.toFixed(1)} s; ` +
        `replies by kind ${JSON.stringify(h.daemon.core.replies.counts)}; closes ${JSON.stringify(Object.fromEntries(stats.closes))}; ` +
        `shutdown() called ${shutdowns}×; heap +${(heapGrowth / 1048576).toFixed(1)} MiB`,
    )
    await b.dict.$release()
  }, 120_000)

  test(`unauthenticated sockets: ${HANDSHAKES} answers`, async () => {
    await using h = await startHarness({ maxFrameBytes: MAX_FUZZ_FRAME, authThrottleMs: 0 })
    const b: Bystander = await bystander(await h.client({ name: 'bystander' }))
    const arbs = arbitraries({ objects: [], methods: new Set() })
    const answer = fc.oneof(
      arbs.wild.map((w) => () => w),
      arbs.value.map((v) => () => safeEncode(v)),
      fc.tuple(arbs.value, arbs.value, arbs.value).map((v) => () => safeEncode([Tag.ANSWER, ...v])),
      // the right MAC, with random nonces and hellos: these may be let in
      fc.tuple(fc.oneof(arbs.value, fc.uint8Array({ minLength: 16, maxLength: 64 })), arbs.value).map(
        ([clientNonce, hello]) => (nonce: Uint8Array) => safeEncode([Tag.ANSWER, clientProof(TEST_KEY, nonce), clientNonce, hello]),
      ),
      fc.constant(() => safeEncode([Tag.ANSWER, Buffer.alloc(32), newNonce(), {}])),
    )
    const outcomes = new Map<string, number>()
    const started = Date.now()
    await fc.assert(
      fc.asyncProperty(answer, async (build) => {
        const sock = await rawSocket(h.address)
        const [, , nonce] = dec.decode(await sock.next()) as [string, string, Uint8Array]
        const frame = build(nonce)
        sock.ws.send(frame, { binary: typeof frame !== 'string' })
        const reply = await sock.next(10_000).then((f) => dec.decode(f) as unknown[], () => null)
        let outcome: string
        if (reply !== null && reply[0] === Tag.WELCOME) {
          outcome = 'welcomed'
          sock.ws.close(1000)
          await sock.closed
        } else {
          const [code] = await sock.closed
          outcome = reply === null ? `closed ${code}` : `${String(reply[0])} ${code}`
          expect(['#FAILURE 4001', 'closed 1003', 'closed 1009']).toContain(outcome)
        }
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
      }),
      { numRuns: HANDSHAKES, endOnFailure: true },
    )
    const seconds = (Date.now() - started) / 1000
    await b.check()
    expect(h.logs.find('internal error on a connection')).toEqual([])
    await eventually(() => h.daemon.core.sessions.size === 1 && h.daemon.connections.size === 1, 5000, 'the fuzzed sockets to go')
    console.log(`handshake fuzz: ${HANDSHAKES} answers in ${seconds.toFixed(1)} s: ${JSON.stringify(Object.fromEntries(outcomes))}`)
    await b.dict.$release()
  }, 120_000)
})
