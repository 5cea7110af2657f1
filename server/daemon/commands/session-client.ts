// How status and inspect reach a daemon: as a normal client (managerd/client connect()), and
// over plain HTTP for /healthz and /readyz. Failures become one clear line.

import { get as httpGet } from 'node:http'
import { get as httpsGet } from 'node:https'
import { connect, type Manager } from '../../../client'
import { AuthenticationError } from '../../../protocol'
import type { ClientTarget } from './args'

/** A failure talking to the daemon: exit code 1 (not a usage error). */
export class UnreachableError extends Error {}

export async function openSession(target: ClientTarget, name: string): Promise<Manager> {
  try {
    return await connect(target.url, {
      name,
      handshakeTimeoutMs: target.timeoutMs,
      callTimeoutMs: target.timeoutMs,
      ...(target.authkey !== undefined ? { authkey: target.authkey } : {}),
      ...(target.ca !== undefined ? { ca: target.ca } : {}),
    })
  } catch (err) {
    if (err instanceof AuthenticationError) throw new UnreachableError(`cannot authenticate to ${target.url}: ${err.message}`)
    throw new UnreachableError(`cannot connect to ${target.url}: ${(err as Error).message}`)
  }
}

export interface Probe {
  status: number | null
  body: string
  error?: string
}

/** GET a health endpoint; never throws (an unreachable daemon is an answer too). */
export function probe(target: ClientTarget, path: string): Promise<Probe> {
  return new Promise((resolve) => {
    const url = target.httpUrl + path
    const get = url.startsWith('https:') ? httpsGet : httpGet
    const req = get(url, { timeout: target.timeoutMs, ...(target.ca !== undefined ? { ca: target.ca } : {}) }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c.slice(0, 4096)))
      res.on('end', () => resolve({ status: res.statusCode ?? null, body }))
    })
    req.on('timeout', () => req.destroy(new Error(`no answer within ${target.timeoutMs} ms`)))
    req.on('error', (err) => resolve({ status: null, body: '', error: err.message }))
  })
}
