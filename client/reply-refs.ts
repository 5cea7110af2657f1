// Giving back the references of a reply nobody will use: the reply to a call that timed out, or
// one that arrived just before the link dropped and was never delivered. The daemon counted them
// for this session before sending, so dropping the reply alone would leak them.

import { ReplyKind, isPlainObject, type ProxyPayload } from '../protocol'
import { BaseProxy, type ProxyHost } from './proxy'

/** Release every reference a decoded reply `[reqId, kind, payload]` carries. */
export function releaseReplyRefs(host: ProxyHost, kind: unknown, payload: unknown): void {
  if (kind === ReplyKind.PROXY) {
    const id = (payload as ProxyPayload | null)?.token?.id
    if (typeof id === 'string') host.release(id)
    return
  }
  for (const proxy of findProxies(payload)) void proxy.$release()
}

function findProxies(value: unknown, found: BaseProxy[] = [], depth = 0): BaseProxy[] {
  if (typeof value !== 'object' || value === null || depth > 1000) return found
  if (value instanceof BaseProxy) found.push(value)
  else if (Array.isArray(value)) for (const v of value) findProxies(v, found, depth + 1)
  else if (value instanceof Map) for (const [k, v] of value) findProxies(v, findProxies(k, found, depth + 1), depth + 1)
  else if (value instanceof Set) for (const v of value) findProxies(v, found, depth + 1)
  else if (isPlainObject(value)) for (const v of Object.values(value)) findProxies(v, found, depth + 1)
  return found
}
