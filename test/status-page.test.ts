// The status page in a real headless browser (Debian's chromium driven by playwright-core): it
// asks for the metrics token, then shows what the daemon reports — sessions, objects by typeid,
// calls/s, recent session events — and renders client names as text, never as HTML.
// A screenshot is saved to .artifacts/status-page.png.

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { eventually, startHarness } from './helpers/harness'

const CHROMIUM = process.env.MANAGERD_CHROMIUM ?? '/usr/bin/chromium'
const TOKEN = 'page-token-0123456789abcdef'
const HOSTILE_NAME = '<img src=x onerror="window.pwned=1">'
const ARTIFACTS = join(__dirname, '..', '.artifacts')

jest.setTimeout(60_000)

// Not skipped when chromium is missing: CI installs it (.ci/run), and a developer should learn
// how to get it rather than see a green run that never opened the page.
async function launch(): Promise<{ context: BrowserContext; profile: string }> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the status page test needs Chromium at ${CHROMIUM}: install it with 'apt-get install -y chromium' (Debian), or set MANAGERD_CHROMIUM to a Chromium binary`)
  }
  // A fresh profile, and chromium's own background connections off: the network here is closed.
  const profile = mkdtempSync(join(tmpdir(), 'managerd-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1200, height: 800 },
  })
  return { context, profile }
}

const textOf = (page: Page, selector: string): Promise<string> => page.locator(selector).innerText()

test('the status page shows the daemon’s sessions, objects by typeid, calls/s and events', async () => {
  await using h = await startHarness({ metricsToken: TOKEN })
  const http = h.address.replace('ws://', 'http://')
  const { context, profile } = await launch()
  try {
    const page = context.pages()[0] ?? (await context.newPage())
    const statusRequests: Array<string | undefined> = []
    page.on('request', (req) => {
      if (req.url().endsWith('/status.json')) statusRequests.push(req.headers().authorization)
    })
    await page.goto(`${http}/?refresh=200`)

    // No token yet: the page says so and offers the field; no numbers are shown.
    await page.locator('#token-form').waitFor({ state: 'visible' })
    expect(await textOf(page, '#problem')).toContain('needs its metrics token')
    expect(await textOf(page, '#sessions-count')).toBe('–')

    await page.fill('#token', TOKEN)
    await page.click('#token-form button')
    await eventually(async () => (await textOf(page, '#readiness')) === 'ready', 10_000, 'the page to load the status')
    // (Functions passed to evaluate run in the page; globalThis is its window there.)
    expect(await page.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem('managerd.metricsToken'))).toBe(TOKEN)
    expect(statusRequests[0]).toBeUndefined()
    expect(statusRequests[statusRequests.length - 1]).toBe(`Bearer ${TOKEN}`)
    expect(await page.locator('#problem').isHidden()).toBe(true)

    const a = await h.client({ name: 'page-client-a' })
    const dicts = [await a.dict(), await a.dict(), await a.dict()]
    const q = await a.queue()
    const b = await h.client({ name: HOSTILE_NAME })
    const l = await b.list()
    let running = true
    const load = (async () => {
      for (let i = 0; running; i++) await dicts[0]!.set('n', i)
    })()

    // What the daemon reports, the page shows.
    const reported = (): { sessions: number; byType: Record<string, number> } => {
      const byType: Record<string, number> = {}
      for (const e of h.daemon.core.table.entries()) byType[e.typeid] = (byType[e.typeid] ?? 0) + 1
      return { sessions: h.daemon.core.sessions.size, byType }
    }
    await eventually(async () => (await textOf(page, '#sessions-count')) === '2' && (await page.locator('#types tbody tr').count()) === 3, 10_000, 'the page to show the new sessions and objects')
    const daemon = reported()
    expect(daemon).toEqual({ sessions: 2, byType: { dict: 3, Queue: 1, list: 1 } })
    expect(Number(await textOf(page, '#sessions-count'))).toBe(daemon.sessions)
    expect(Number(await textOf(page, '#objects-count'))).toBe(5)
    for (const [typeid, n] of Object.entries(daemon.byType)) {
      expect(await textOf(page, `#types tr[data-typeid="${typeid}"] td.count`)).toBe(String(n))
    }
    await eventually(async () => /^\d+(\.\d)?$/.test(await textOf(page, '#calls-rate')) && Number(await textOf(page, '#calls-rate')) > 0, 10_000, 'calls/s to show')
    running = false
    await load

    // Session rows and events, with the hostile name as plain text.
    expect(await textOf(page, `#sessions tr[data-session="${a.sessionId}"] td:nth-child(2)`)).toBe('page-client-a')
    expect(await textOf(page, `#sessions tr[data-session="${b.sessionId}"] td:nth-child(2)`)).toBe(HOSTILE_NAME)
    expect(await page.locator('#sessions img, #events img').count()).toBe(0)
    expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined()
    const events = await page.locator('#events tbody tr').allInnerTexts()
    expect(events.some((row) => row.includes('started') && row.includes('page-client-a'))).toBe(true)

    mkdirSync(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: join(ARTIFACTS, 'status-page.png'), fullPage: true })

    await b.close()
    await eventually(async () => (await textOf(page, '#sessions-count')) === '1', 10_000, 'the page to show b gone')
    expect((await page.locator('#events tbody tr').allInnerTexts()).some((row) => row.includes('ended') && row.includes('closed by the client'))).toBe(true)
    for (const d of dicts) await d.$release()
    await q.$release()
    void l
  } finally {
    await context.close()
    rmSync(profile, { recursive: true, force: true, maxRetries: 5 })
  }
})
