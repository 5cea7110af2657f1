// TLS: a daemon process started with --tls-cert/--tls-key serves wss:// and https:// (health
// endpoints) on one port. A client that does not trust the certificate is refused; one given
// the CA (`ca`) works, and so does a dict round trip.
import { mkdtempSync } from 'node:fs'
import { get } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect } from '../client'
import { startCli, type RunningDaemon } from './helpers/cli'
import { TEST_KEY } from './helpers/harness'
import { makeSelfSigned, type SelfSigned } from './helpers/self-signed'

function httpsGet(url: string, ca?: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    get(url, ca !== undefined ? { ca } : {}, (res) => {
      let text = ''
      res.on('data', (c: Buffer) => (text += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }))
    }).on('error', reject)
  })
}

describe('TLS', () => {
  let tls: SelfSigned
  let daemon: RunningDaemon
  beforeAll(async () => {
    tls = makeSelfSigned(mkdtempSync(join(tmpdir(), 'managerd-tls-')))
    daemon = await startCli(['--port', '0', '--tls-cert', tls.certFile, '--tls-key', tls.keyFile], { MANAGERD_AUTHKEY: TEST_KEY })
  })
  afterAll(async () => {
    daemon.child.kill('SIGTERM')
    expect(await daemon.exited).toBe(0)
  })

  test('the daemon advertises wss:// and logs tls', () => {
    expect(daemon.address).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/)
    expect(daemon.logs.find((l) => l.msg === 'listening')).toMatchObject({ tls: true })
  })

  test('a client without the CA is refused; with it, a dict round trip works over wss', async () => {
    const refused = await connect(daemon.address, { authkey: TEST_KEY }).catch((e: unknown) => e)
    expect(refused).toMatchObject({ name: 'ConnectionLostError', code: 'MANAGERD_ERR_CONNECTION_LOST' })
    expect((refused as Error).message).toMatch(/self[- ]signed certificate/)

    await using m = await connect(daemon.address, { authkey: TEST_KEY, ca: tls.cert })
    expect(m.address).toBe(daemon.address)
    const d = await m.dict<string, unknown>()
    const value = { n: [1, 2, 3], when: new Date(0), big: 2n ** 70n, bytes: Buffer.from('tls') }
    await d.set('k', value)
    expect(await d.get('k')).toEqual(value)
    expect(await m.numberOfObjects()).toBe(1)
    await d.$release()
  })

  test('/healthz and /readyz over https (refused without the CA); plain ws:// gets no session', async () => {
    const https = daemon.address.replace('wss://', 'https://')
    expect(await httpsGet(`${https}/healthz`, tls.cert)).toEqual({ status: 200, body: { status: 'ok' } })
    expect(await httpsGet(`${https}/readyz`, tls.cert)).toEqual({ status: 200, body: { status: 'ready' } })
    await expect(httpsGet(`${https}/healthz`)).rejects.toThrow(/self[- ]signed certificate/)
    const plain = daemon.address.replace('wss://', 'ws://')
    await expect(connect(plain, { authkey: TEST_KEY, handshakeTimeoutMs: 2000 })).rejects.toMatchObject({ code: 'MANAGERD_ERR_CONNECTION_LOST' })
  })
})
