// The client's RPC layer over a link: request ids, many calls in flight (pipelining), requests
// batched per tick into one frame, replies matched and rebuilt (values, proxies, errors),
// per-call timeouts, and batched decrefs for released proxies.

import { EventEmitter } from 'node:events'
import {
  CloseCode,
  ConnectionLostError,
  CallTimeoutError,
  Decoder,
  Encoder,
  ManagerClosedError,
  ProtocolError,
  ReplyKind,
  Tag,
  UnserializableError,
  isPlainObject,
  joinBatch,
  type GoawayInfo,
  type ProxyPayload,
  type WelcomeInfo,
} from '../protocol'
import { Deadlines } from './deadlines'
import { errorFromErrorReply, errorFromTraceback, errorFromUnserializable } from './errors'
import type { Link } from './links/link'
import {
  BaseProxy,
  createProxy,
  defineMethods,
  newProxyClass,
  proxyRef,
  type ProxyClassInfo,
  type ProxyHost,
} from './proxy'

interface Pending {
  resolve(value: unknown): void
  reject(err: Error): void
  /** Internal calls (getMethods for unknown types) are delivered even while replies wait. */
  internal: boolean
}

export interface ConnectionEvents {
  goaway: [GoawayInfo]
  close: [Error]
}

export class Connection extends EventEmitter<ConnectionEvents> implements ProxyHost {
  #link: Link
  #welcome: WelcomeInfo
  epoch = 1
  /** Default per-call timeout in ms (0 = none). */
  callTimeoutMs: number
  readonly #encoder: Encoder
  readonly #decoder: Decoder
  #nextReqId = 1
  readonly #pending = new Map<number, Pending>()
  /** Timed-out calls whose reply may still come: it is decoded and its references released. */
  readonly #abandoned = new Set<number>()
  readonly #deadlines: Deadlines
  #outbox: Buffer[] = []
  #flushScheduled = false
  readonly #decrefs = new Map<string, number>()
  readonly #classes = new Map<string, ProxyClassInfo>()
  /** Typeids met in the frame being decoded whose methods are not known yet. */
  #missing: Map<string, string> | null = null
  /** Replies held back until the methods of the types they carry are known (keeps order). */
  #backlog: unknown[][] | null = null
  #waitingFor = 0
  #closed: Error | null = null
  /** The error calls get once the link closes, when the close is expected (shutdown()). */
  #expectedClose: Error | null = null

  constructor(link: Link, options: { callTimeoutMs?: number } = {}) {
    super()
    this.#link = link
    this.#welcome = link.welcome
    this.callTimeoutMs = options.callTimeoutMs ?? 0
    this.#encoder = new Encoder({
      cls: BaseProxy,
      toWire: (proxy: BaseProxy) => {
        const ref = proxyRef(proxy)
        if (ref.host !== this) throw new UnserializableError(`a proxy of ${ref.host.address} cannot be sent to ${this.address}`)
        if (ref.released) throw new UnserializableError(`proxy ${ref.token.id} was released`)
        if (ref.epoch !== this.epoch) throw new UnserializableError(`proxy ${ref.token.id} belongs to a session that ended`)
        return [ref.token.typeid, ref.token.id]
      },
    })
    this.#decoder = new Decoder((typeid, id) => this.#proxyFromWire(typeid, id))
    this.#deadlines = new Deadlines((reqId) => this.#expire(reqId))
    this.#bind(link)
  }

  get address(): string {
    return this.#welcome.address
  }

  get welcome(): WelcomeInfo {
    return this.#welcome
  }

  get closed(): boolean {
    return this.#closed !== null
  }

  /** Calls waiting for a reply. */
  get inFlight(): number {
    return this.#pending.size
  }

  /** Call `method` on object `target` (null: a server method). */
  call(target: string | null, method: string, args: unknown[], timeoutMs?: number): Promise<unknown> {
    return this.#call(target, method, args, timeoutMs ?? this.callTimeoutMs, false)
  }

  #call(target: string | null, method: string, args: unknown[], timeoutMs: number, internal: boolean): Promise<unknown> {
    if (this.#closed !== null) return Promise.reject(this.#closed)
    const reqId = this.#nextReqId++
    let bytes: Buffer
    try {
      bytes = this.#encoder.encode4(reqId, target, method, args)
    } catch (err) {
      return Promise.reject(err)
    }
    return new Promise((resolve, reject) => {
      this.#pending.set(reqId, { resolve, reject, internal })
      if (timeoutMs > 0) this.#deadlines.add(reqId, timeoutMs)
      this.#queue(bytes)
    })
  }

  /** ProxyHost: one reference of `id` is no longer held; decrefs go out batched. */
  release(id: string): void {
    if (this.#closed !== null) return
    this.#decrefs.set(id, (this.#decrefs.get(id) ?? 0) + 1)
    this.#scheduleFlush()
  }

  /** A proxy for a #PROXY payload (the reference is already counted for this session). */
  proxyFromPayload(payload: ProxyPayload): BaseProxy {
    const { token, exposed } = payload
    const info = this.#classFor(token.typeid)
    if (info.exposed === null && Array.isArray(exposed)) defineMethods(info, exposed)
    return createProxy(info, this, { typeid: token.typeid, address: this.address, id: token.id })
  }

  /** The daemon is expected to close the link (this client asked it to shut down). */
  expectClose(err: Error): void {
    this.#expectedClose = err
  }

  /** Close the link. `goodbye`: tell the daemon to end the session now (code 1000). */
  close(goodbye = true): void {
    if (this.#closed !== null) return
    this.#flush()
    this.#shutdown(new ManagerClosedError('the manager was closed'))
    this.#link.close(goodbye ? CloseCode.NORMAL : CloseCode.GOING_AWAY, goodbye ? 'bye' : 'going away')
  }

  #bind(link: Link): void {
    link.bind({
      frame: (data) => this.#onFrame(data),
      closed: (code, reason) => {
        if (this.#closed === null) {
          this.#shutdown(
            this.#expectedClose ?? new ConnectionLostError(`the connection to ${this.address} was lost (${code}${reason ? ' ' + reason : ''})`),
          )
        }
      },
    })
  }

  #queue(bytes: Buffer): void {
    this.#outbox.push(bytes)
    this.#scheduleFlush()
  }

  #scheduleFlush(): void {
    if (!this.#flushScheduled) {
      this.#flushScheduled = true
      queueMicrotask(this.#flush)
    }
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false
    if (this.#decrefs.size > 0) this.#queueDecrefs()
    const outbox = this.#outbox
    if (outbox.length === 0 || this.#closed !== null) return
    this.#outbox = []
    this.#link.send(joinBatch(outbox))
  }

  #queueDecrefs(): void {
    for (const [id, n] of this.#decrefs) {
      const reqId = this.#nextReqId++
      // Nobody awaits a decref; a failure (the object is long gone) needs no handling.
      this.#pending.set(reqId, { resolve: noop, reject: noop, internal: true })
      this.#outbox.push(this.#encoder.encode4(reqId, null, 'decref', n === 1 ? [id] : [id, n]))
    }
    this.#decrefs.clear()
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
    return createProxy(info, this, { typeid, address: this.address, id })
  }

  #onFrame(data: Uint8Array): void {
    let frame: unknown
    this.#missing = null
    try {
      frame = this.#decoder.decode(data)
    } catch (err) {
      return this.#protocolFailure(`undecodable frame from the daemon: ${(err as Error).message}`)
    }
    if (!Array.isArray(frame) || frame.length === 0) return this.#protocolFailure('the daemon sent a frame that is not a message')
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
      if (reqId === Tag.GOAWAY) this.emit('goaway', (m[1] ?? { reason: 'draining', deadlineMs: 0 }) as GoawayInfo)
      return // #PONG and unknown control messages need nothing
    }
    if (this.#backlog !== null && this.#pending.get(reqId)?.internal !== true) {
      this.#backlog.push(m)
      return
    }
    this.#deliver(m, reqId)
  }

  #deliver(m: unknown[], reqId: number): void {
    const pending = this.#pending.get(reqId)
    if (pending === undefined) {
      // A reply to a call that timed out: give back whatever references it carried.
      if (this.#abandoned.delete(reqId)) this.#releaseAbandoned(m[1], m[2])
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

  /** Learn the methods of types met in replies, then deliver the replies held meanwhile. */
  #fetchMethods(missing: Map<string, string>): void {
    this.#backlog ??= []
    for (const [typeid, id] of missing) {
      const info = this.#classFor(typeid)
      if (info.exposed !== null) continue
      this.#waitingFor++
      this.#call(null, 'getMethods', [id], 0, true)
        .then(
          (exposed) => {
            if (Array.isArray(exposed)) defineMethods(info, exposed as string[])
          },
          () => defineMethods(info, []),
        )
        .finally(() => {
          if (--this.#waitingFor === 0) this.#drainBacklog()
        })
    }
    if (this.#waitingFor === 0) this.#drainBacklog()
  }

  #drainBacklog(): void {
    const backlog = this.#backlog
    this.#backlog = null
    if (backlog === null) return
    for (const m of backlog) this.#deliver(m, m[0] as number)
  }

  #releaseAbandoned(kind: unknown, payload: unknown): void {
    if (kind === ReplyKind.PROXY) {
      const id = (payload as ProxyPayload | null)?.token?.id
      if (typeof id === 'string') this.release(id)
      return
    }
    for (const proxy of findProxies(payload)) void proxy.$release()
  }

  #expire(reqId: number): void {
    const pending = this.#pending.get(reqId)
    if (pending === undefined) return
    this.#pending.delete(reqId)
    this.#abandoned.add(reqId)
    pending.reject(new CallTimeoutError('the call timed out; its effects on the daemon may still happen'))
  }

  #protocolFailure(message: string): void {
    this.#shutdown(new ProtocolError(message))
    this.#link.close(CloseCode.PROTOCOL_ERROR, 'protocol error')
  }

  #shutdown(err: Error): void {
    if (this.#closed !== null) return
    this.#closed = err
    this.#deadlines.clear()
    this.#outbox = []
    this.#decrefs.clear()
    const pending = [...this.#pending.values()]
    this.#pending.clear()
    this.#abandoned.clear()
    this.#backlog = null
    for (const p of pending) p.reject(err)
    this.emit('close', err)
  }
}

function noop(): void {}

function findProxies(value: unknown, found: BaseProxy[] = [], depth = 0): BaseProxy[] {
  if (typeof value !== 'object' || value === null || depth > 1000) return found
  if (value instanceof BaseProxy) found.push(value)
  else if (Array.isArray(value)) for (const v of value) findProxies(v, found, depth + 1)
  else if (value instanceof Map) for (const [k, v] of value) findProxies(v, findProxies(k, found, depth + 1), depth + 1)
  else if (value instanceof Set) for (const v of value) findProxies(v, found, depth + 1)
  else if (isPlainObject(value)) for (const v of Object.values(value)) findProxies(v, found, depth + 1)
  return found
}
