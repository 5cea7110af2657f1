// GET /metrics as Prometheus scrapes it: parsed with a strict text-format parser, and every
// counter checked to move exactly as the test's own calls should move it.

import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AuthenticationError, RemoteError } from '../protocol'
import { rawSocket } from './helpers/raw-client'
import { eventually, startHarness, type Harness } from './helpers/harness'
import { parsePrometheusText, sampleValue, type Family } from './helpers/prom-text'

const TOKEN = 'metrics-token-0123456789abcdef'

async function scrape(h: Harness, token?: string): Promise<Map<string, Family>> {
  const res = await fetch(`${h.address.replace('ws://', 'http://')}/metrics`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
  return parsePrometheusText(await res.text())
}

const v = (f: Map<string, Family>, name: string, labels: Record<string, string> = {}): number => sampleValue(f, name, labels)

describe('/metrics', () => {
  test('counters move as the calls move them', async () => {
    await using h = await startHarness()
    const m = await h.client({ name: 'counted' })
    const d = await m.dict<string, number>()
    const before = await scrape(h)

    for (let i = 0; i < 10; i++) await d.set(`k${i}`, i)
    const afterSets = await scrape(h)
    expect(v(afterSets, 'managerd_calls_total', { target: 'object' }) - v(before, 'managerd_calls_total', { target: 'object' })).toBe(10)
    expect(v(afterSets, 'managerd_replies_total', { kind: '#RETURN' }) - v(before, 'managerd_replies_total', { kind: '#RETURN' })).toBe(10)
    expect(v(afterSets, 'managerd_calls_total', { target: 'server' })).toBe(v(before, 'managerd_calls_total', { target: 'server' }))
    expect(v(afterSets, 'managerd_received_bytes_total')).toBeGreaterThan(v(before, 'managerd_received_bytes_total'))
    expect(v(afterSets, 'managerd_sent_bytes_total')).toBeGreaterThan(v(before, 'managerd_sent_bytes_total'))
    expect(v(afterSets, 'managerd_received_frames_total') - v(before, 'managerd_received_frames_total')).toBe(10)
    // Each call was timed once, in the frame that brought it.
    expect(v(afterSets, 'managerd_call_duration_seconds_count', { mode: 'sync' }) - v(before, 'managerd_call_duration_seconds_count', { mode: 'sync' })).toBe(10)
    expect(v(afterSets, 'managerd_call_duration_seconds_sum', { mode: 'sync' })).toBeGreaterThan(v(before, 'managerd_call_duration_seconds_sum', { mode: 'sync' }))

    await expect(d.pop('missing')).rejects.toThrow(RemoteError) // KeyError: the referent's own error
    await expect(m.connection.call(d.$token.id, 'nope', [])).rejects.toThrow(/not exposed/)
    await expect(m.connection.call(null, 'create', ['no-such-type'])).rejects.toThrow(/no type/)
    const afterErrors = await scrape(h)
    const delta = (name: string, labels: Record<string, string>): number => v(afterErrors, name, labels) - v(afterSets, name, labels)
    expect(delta('managerd_replies_total', { kind: '#ERROR' })).toBe(1)
    expect(delta('managerd_replies_total', { kind: '#TRACEBACK' })).toBe(2)
    expect(delta('managerd_calls_total', { target: 'object' })).toBe(2)
    expect(delta('managerd_calls_total', { target: 'server' })).toBe(1)
    expect(delta('managerd_replies_total', { kind: '#RETURN' })).toBe(0)
    await d.$release()
  })

  test('sessions, objects by typeid, names and parked calls are gauges of now', async () => {
    await using h = await startHarness()
    const a = await h.client({ name: 'a' })
    const b = await h.client({ name: 'b' })
    const dicts = [await a.dict(), await a.dict(), await b.dict()]
    const q = await b.queue<number>()
    const l = await a.list()
    await a.publish('the-list', l)
    let f = await scrape(h)
    expect(v(f, 'managerd_sessions', { state: 'connected' })).toBe(2)
    expect(v(f, 'managerd_sessions', { state: 'detached' })).toBe(0)
    expect(v(f, 'managerd_objects', { typeid: 'dict' })).toBe(3)
    expect(v(f, 'managerd_objects', { typeid: 'Queue' })).toBe(1)
    expect(v(f, 'managerd_objects', { typeid: 'list' })).toBe(1)
    expect(v(f, 'managerd_published_names')).toBe(1)
    expect(v(f, 'managerd_parked_calls')).toBe(0)
    expect(v(f, 'managerd_session_events_total', { event: 'started' })).toBe(2)

    const got = q.get() // parks on the daemon until the put
    await eventually(async () => v(await scrape(h), 'managerd_parked_calls') === 1, 5000, 'the get to park')
    const parkedBefore = v(await scrape(h), 'managerd_call_duration_seconds_count', { mode: 'parked' })
    await q.put(7)
    expect(await got).toBe(7)
    f = await scrape(h)
    expect(v(f, 'managerd_parked_calls')).toBe(0)
    expect(v(f, 'managerd_call_duration_seconds_count', { mode: 'parked' }) - parkedBefore).toBe(1)

    await b.close()
    await eventually(async () => {
      const now = await scrape(h)
      return v(now, 'managerd_sessions', { state: 'connected' }) === 1 && v(now, 'managerd_objects', { typeid: 'Queue' }) === 0
    }, 5000, 'b and what it held to go')
    f = await scrape(h)
    expect(v(f, 'managerd_objects', { typeid: 'dict' })).toBe(2)
    expect(v(f, 'managerd_session_events_total', { event: 'ended' })).toBe(1)
    await a.unpublish('the-list')
    for (const d of dicts.slice(0, 2)) await d.$release()
    await l.$release()
  })

  test('a wrong key and a silent peer count as handshake failures', async () => {
    await using h = await startHarness({ authThrottleMs: 0, handshakeTimeoutMs: 300 })
    const before = await scrape(h)
    await expect(h.client({ authkey: 'wrong-key' })).rejects.toThrow(AuthenticationError)
    const silent = await rawSocket(h.address) // gets the challenge, never answers
    await silent.closed
    const after = await scrape(h)
    expect(v(after, 'managerd_handshake_failures_total', { reason: 'auth' }) - v(before, 'managerd_handshake_failures_total', { reason: 'auth' })).toBe(1)
    expect(v(after, 'managerd_handshake_failures_total', { reason: 'timeout' }) - v(before, 'managerd_handshake_failures_total', { reason: 'timeout' })).toBe(1)
    expect(v(after, 'managerd_handshakes_total')).toBe(v(before, 'managerd_handshakes_total'))
  })

  test('the process metrics are there, each daemon keeps its own counts', async () => {
    await using one = await startHarness()
    await using two = await startHarness()
    const m = await one.client()
    const d = await m.dict()
    await d.set('x', 1)
    const f1 = await scrape(one)
    const f2 = await scrape(two)
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(f1.has(name)).toBe(true)
    }
    expect(f1.get('managerd_call_duration_seconds')!.type).toBe('histogram')
    expect(v(f1, 'managerd_calls_total', { target: 'object' })).toBe(1)
    expect(v(f2, 'managerd_calls_total', { target: 'object' })).toBe(0)
    expect(f2.get('managerd_objects')!.samples.map((s) => s.value)).toEqual(f2.get('managerd_objects')!.samples.map(() => 0))
    expect(v(f2, 'managerd_objects', { typeid: 'dict' })).toBe(0) // every registered type has a series
    await d.$release()
  })
})

describe('the metrics token', () => {
  test('/metrics and /status.json need it; /healthz, /readyz and the page do not, and reveal nothing', async () => {
    await using h = await startHarness({ metricsToken: TOKEN })
    const http = h.address.replace('ws://', 'http://')
    for (const path of ['/metrics', '/status.json']) {
      const none = await fetch(http + path)
      expect(none.status).toBe(401)
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="managerd"')
      expect((await fetch(http + path, { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401)
      expect((await fetch(http + path, { headers: { authorization: TOKEN } })).status).toBe(401)
      expect((await fetch(http + path, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200)
    }
    expect(v(await scrape(h, TOKEN), 'managerd_sessions', { state: 'connected' })).toBe(0)
    const health = await fetch(`${http}/healthz`)
    expect([health.status, await health.text()]).toEqual([200, '{"status":"ok"}'])
    const ready = await fetch(`${http}/readyz`)
    expect([ready.status, await ready.text()]).toEqual([200, '{"status":"ready"}'])
    const page = await fetch(`${http}/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(await page.text()).not.toContain(h.daemon.core.table.bootId)
  })

  test('it can come from a file; an empty or unreadable one is a configuration error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'managerd-token-'))
    writeFileSync(join(dir, 'token'), `${TOKEN}\n`, { mode: 0o600 })
    writeFileSync(join(dir, 'empty'), '\n')
    await using h = await startHarness({ metricsTokenFile: join(dir, 'token') })
    expect((await fetch(`${h.address.replace('ws://', 'http://')}/metrics`)).status).toBe(401)
    expect(v(await scrape(h, TOKEN), 'managerd_published_names')).toBe(0)
    await expect(startHarness({ metricsTokenFile: join(dir, 'empty') })).rejects.toMatchObject({ code: 'MANAGERD_ERR_CONFIG', message: 'the metrics token is empty' })
    await expect(startHarness({ metricsTokenFile: join(dir, 'nope') })).rejects.toThrow(/cannot read metrics token file .*ENOENT/)
    await expect(startHarness({ metricsToken: TOKEN, metricsTokenFile: join(dir, 'token') })).rejects.toThrow(/not both/)
  })
})
