// The inbound half of a connection: frames decoded into messages, replies matched to the calls
// in flight and rebuilt (values, proxies, errors), and the proxy classes per typeid — replies
// that carry a type whose methods are unknown wait, in order, until getMethods answered.

import {
  Decoder,
  ProtocolError,
  ReplyKind,
  Tag,
  type GoawayInfo,
  type ProxyPayload,
} from '../protocol'
import { errorFromErrorReply, errorFromTraceback, errorFromUnserializable } from './errors'
import { BaseProxy, createProxy, defineMethods, newProxyClass, type ProxyClassInfo, type ProxyHost } from './proxy'
import { releaseReplyRefs } from './reply-refs'

export interface Pending {
  resolve(value: unknown): void
  reject(err: Error): void
  /** Internal calls (getMethods for unknown types) are delivered even while replies wait. */
  internal: boolean
}

/** What the inbound side needs from its connection, besides the connection itself (the proxies' host). */
export interface ReplyHooks {
  /** False while the link is down. */
  connected(): boolean
  /** An internal call (getMethods), delivered even while replies wait. */
  callInternal(target: string | null, method: string, args: unknown[]): Promise<unknown>
  goaway(info: GoawayInfo): void
  protocolFailure(message: string): void
}

/** Replies held back until the methods of the types they carry are known (keeps their order). */
interface Backlog {
  messages: unknown[][]
  waiting: number
}

export class Replies {
  readonly #host: ProxyHost
  readonly #hooks: ReplyHooks
  readonly #pending: Map<number, Pending>
  /** Timed-out calls whose reply may still come: it is decoded and its references released. */
  readonly #abandoned: Set<number>
  readonly #decoder: Decoder
  readonly #classes = new Map<string, ProxyClassInfo>()
  /** Typeids met in the frame being decoded whose methods are not known yet. */
  #missing: Map<string, string> | null = null
  #backlog: Backlog | null = null

  constructor(host: ProxyHost, hooks: ReplyHooks, pending: Map<number, Pending>, abandoned: Set<number>) {
    this.#host = host
    this.#hooks = hooks
    this.#pending = pending
    this.#abandoned = abandoned
    this.#decoder = new Decoder((typeid, id) => this.#proxyFromWire(typeid, id))
  }

  /** A proxy for a #PROXY payload (the reference is already counted for this session). */
  proxyFromPayload(payload: ProxyPayload): BaseProxy {
    const { token, exposed } = payload
    const info = this.#classFor(token.typeid)
    if (info.exposed === null && Array.isArray(exposed)) defineMethods(info, exposed)
    return createProxy(info, this.#host, { typeid: token.typeid, address: this.#host.address, id: token.id })
  }

  /**
   * The link dropped: replies that arrived but waited for their type's methods will not be
   * delivered, so their references are given back. Returns their request ids (they were received).
   */
  dropBacklog(): Set<number> {
    const received = new Set<number>()
    const backlog = this.#backlog
    this.#backlog = null
    for (const m of backlog?.messages ?? []) {
      received.add(m[0] as number)
      releaseReplyRefs(this.#host, m[1], m[2])
    }
    return received
  }

  /** A new session, maybe on a new daemon: its types may differ. */
  forgetClasses(): void {
    this.#classes.clear()
  }

  onFrame(data: Uint8Array): void {
    let frame: unknown
    this.#missing = null
    try {
      frame = this.#decoder.decode(data)
    } catch (err) {
      return this.#hooks.protocolFailure(`undecodable frame from the daemon: ${(err as Error).message}`)
    }
    if (!Array.isArray(frame) || frame.length === 0) return this.#hooks.protocolFailure('the daemon sent a frame that is not a message')
    if (this.#missing !== null) this.#fetchMethods(this.#missing)
    if (Array.isArray(frame[0])) {
      for (const m of frame as unknown[][]) this.#onMessage(m)
    } else {
      this.#onMessage(frame)
    }
  }

  #onMessage(m: unknown[]): void {
    const reqId = m[0]
    if (typeof reqId !== 'number') {
      if (reqId === Tag.GOAWAY) this.#hooks.goaway((m[1] ?? { reason: 'draining', deadlineMs: 0 }) as GoawayInfo)
      return // #PONG and unknown control messages need nothing
    }
    if (this.#backlog !== null && this.#pending.get(reqId)?.internal !== true) {
      this.#backlog.messages.push(m)
      return
    }
    this.#deliver(m, reqId)
  }

  #deliver(m: unknown[], reqId: number): void {
    const pending = this.#pending.get(reqId)
    if (pending === undefined) {
      // A reply to a call that timed out: give back whatever references it carried.
      if (this.#abandoned.delete(reqId)) releaseReplyRefs(this.#host, m[1], m[2])
      return
    }
    this.#pending.delete(reqId)
    const kind = m[1]
    const payload = m[2]
    switch (kind) {
      case ReplyKind.RETURN:
        return pending.resolve(payload)
      case ReplyKind.PROXY:
        return pending.resolve(this.proxyFromPayload(payload as ProxyPayload))
      case ReplyKind.ERROR:
        return pending.reject(errorFromErrorReply(payload))
      case ReplyKind.TRACEBACK:
        return pending.reject(errorFromTraceback(payload))
      case ReplyKind.UNSERIALIZABLE:
        return pending.reject(errorFromUnserializable(payload))
      default:
        return pending.reject(new ProtocolError(`unknown reply kind ${String(kind)}`))
    }
  }

  #classFor(typeid: string): ProxyClassInfo {
    let info = this.#classes.get(typeid)
    if (info === undefined) {
      info = newProxyClass(typeid)
      this.#classes.set(typeid, info)
    }
    return info
  }

  #proxyFromWire(typeid: string, id: string): BaseProxy {
    const info = this.#classFor(typeid)
    if (info.exposed === null) (this.#missing ??= new Map()).set(typeid, id)
    return createProxy(info, this.#host, { typeid, address: this.#host.address, id })
  }

  /** Learn the methods of types met in replies, then deliver the replies held meanwhile. */
  #fetchMethods(missing: Map<string, string>): void {
    const backlog = (this.#backlog ??= { messages: [], waiting: 0 })
    for (const [typeid, id] of missing) {
      const info = this.#classFor(typeid)
      if (info.exposed !== null) continue
      backlog.waiting++
      this.#hooks
        .callInternal(null, 'getMethods', [id])
        .then(
          (exposed) => {
            if (Array.isArray(exposed)) defineMethods(info, exposed as string[])
          },
          () => {
            // A dropped link says nothing about the type: ask again next time.
            if (this.#hooks.connected()) defineMethods(info, [])
          },
        )
        .finally(() => {
          if (--backlog.waiting === 0 && this.#backlog === backlog) this.#drainBacklog()
        })
    }
    if (backlog.waiting === 0) this.#drainBacklog()
  }

  #drainBacklog(): void {
    const backlog = this.#backlog
    this.#backlog = null
    if (backlog === null) return
    for (const m of backlog.messages) this.#deliver(m, m[0] as number)
  }
}
