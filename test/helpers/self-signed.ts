// A self-signed certificate for 127.0.0.1 / localhost, made at run time (no key is committed):
// with openssl when it is installed, else built here from node:crypto (an EC P-256 key and a
// minimal X.509 v3 certificate, DER-encoded by hand).

import { spawnSync } from 'node:child_process'
import { X509Certificate, generateKeyPairSync, randomBytes, sign } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface SelfSigned {
  certFile: string
  keyFile: string
  /** The certificate (PEM): what a client passes as `ca`. */
  cert: string
  via: 'openssl' | 'node:crypto'
}

export function makeSelfSigned(dir: string): SelfSigned {
  const certFile = join(dir, 'cert.pem')
  const keyFile = join(dir, 'key.pem')
  const forceNode = process.env.MANAGERD_TEST_NO_OPENSSL === '1'
  const which = forceNode ? null : spawnSync('openssl', ['version'], { encoding: 'utf8' })
  if (which !== null && which.status === 0) {
    const r = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile,
        '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
      { encoding: 'utf8' },
    )
    if (r.status !== 0) throw new Error(`openssl req failed: ${r.stderr}`)
    return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), via: 'openssl' }
  }
  const { cert, key } = buildWithNodeCrypto()
  writeFileSync(certFile, cert)
  writeFileSync(keyFile, key, { mode: 0o600 })
  return { certFile, keyFile, cert, via: 'node:crypto' }
}

// ---- DER, just enough for one certificate ------------------------------------------------------

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content)
  const n = body.length
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff])
  return Buffer.concat([Buffer.from([tag]), len, body])
}
const seq = (...c: Buffer[]): Buffer => tlv(0x30, ...c)
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number)
  const bytes = [40 * a! + b!]
  for (const arc of rest) {
    const chunk = [arc & 0x7f]
    for (let v = arc >> 7; v > 0; v >>= 7) chunk.unshift(0x80 | (v & 0x7f))
    bytes.push(...chunk)
  }
  return tlv(0x06, Buffer.from(bytes))
}
const utcTime = (d: Date): Buffer => tlv(0x17, Buffer.from(d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z'))
const name = (cn: string): Buffer => seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn)))))
const extension = (id: string, value: Buffer): Buffer => seq(oid(id), tlv(0x04, value))

function buildWithNodeCrypto(): { cert: string; key: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const ecdsaSha256 = seq(oid('1.2.840.10045.4.3.2'))
  const serial = randomBytes(8)
  serial[0] = serial[0]! & 0x7f
  const now = Date.now()
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))), // v3
    tlv(0x02, serial),
    ecdsaSha256,
    name('localhost'),
    seq(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + 2 * 86400_000))),
    name('localhost'),
    publicKey.export({ type: 'spki', format: 'der' }),
    tlv(
      0xa3,
      seq(
        extension('2.5.29.19', seq(tlv(0x01, Buffer.from([0xff])))), // basicConstraints CA:TRUE
        extension('2.5.29.17', seq(tlv(0x82, Buffer.from('localhost')), tlv(0x87, Buffer.from([127, 0, 0, 1])))), // SAN
      ),
    ),
  )
  const signature = sign('sha256', tbs, privateKey)
  const der = seq(tbs, ecdsaSha256, tlv(0x03, Buffer.from([0]), signature))
  new X509Certificate(der) // throws if the encoding is wrong
  const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`
  return { cert: pem, key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string }
}
