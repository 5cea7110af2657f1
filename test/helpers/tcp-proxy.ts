// A userspace TCP proxy between a client and a daemon, for faults a test must control (tc netem
// is not available on these kernels). It can freeze — stop forwarding bytes without closing any
// socket, as a cut cable does (no FIN, no RST) — in both directions or in one, cut every
// connection at once (both ends see it close), and refuse new connections.

import net from 'node:net'

type Direction = 'both' | 'up' | 'down'

interface Pair {
  client: net.Socket
  upstream: net.Socket
  /** Bytes client → daemon are dropped. */
  upFrozen: boolean
  /** Bytes daemon → client are dropped. */
  downFrozen: boolean
  closed: boolean
}

export interface TcpProxy extends AsyncDisposable {
  readonly port: number
  /** ws://127.0.0.1:PORT — give this to connect() instead of the daemon's address. */
  readonly address: string
  /** Connections accepted so far. */
  readonly accepted: number
  /** Connections open now. */
  readonly open: number
  /** Bytes dropped while frozen, per direction (up: client → daemon). */
  readonly dropped: { up: number; down: number }
  /**
   * Stop forwarding on every open connection ('up': client → daemon only, 'down': daemon →
   * client only). Bytes are dropped, sockets stay open. With `newToo`, connections made while
   * frozen are black holes as well (a cut link: the TCP handshake passes, nothing else).
   */
  freeze(direction?: Direction, options?: { newToo?: boolean }): void
  /** Forward again. A connection one end of which closed meanwhile is cut (what a healed link's RST does). */
  thaw(): void
  /** Close every connection at once (both ends see the close). */
  cutAll(): void
  /** New connections are closed as soon as they arrive (nothing listening behind). */
  refuse(on: boolean): void
  /** Forward new connections to another port (a daemon restarted elsewhere). */
  retarget(port: number): void
  close(): Promise<void>
}

export async function startTcpProxy(targetPort: number, options: { port?: number } = {}): Promise<TcpProxy> {
  let target = targetPort
  const pairs = new Set<Pair>()
  let accepted = 0
  let freezeNew: Direction | null = null
  let refusing = false
  const dropped = { up: 0, down: 0 }
  const server = net.createServer((client) => {
    accepted++
    if (refusing) {
      client.destroy()
      return
    }
    const upstream = net.connect(target, '127.0.0.1')
    const pair: Pair = {
      client,
      upstream,
      upFrozen: freezeNew === 'both' || freezeNew === 'up',
      downFrozen: freezeNew === 'both' || freezeNew === 'down',
      closed: false,
    }
    pairs.add(pair)
    client.setNoDelay(true)
    upstream.setNoDelay(true)
    client.on('data', (chunk: Buffer) => {
      if (!pair.upFrozen) upstream.write(chunk)
      else dropped.up += chunk.length
    })
    upstream.on('data', (chunk: Buffer) => {
      if (!pair.downFrozen) client.write(chunk)
      else dropped.down += chunk.length
    })
    const onEnd = (): void => {
      // A frozen link does not carry the close either: the other end must find out by itself.
      if (pair.upFrozen || pair.downFrozen) {
        pair.closed = true
        return
      }
      destroy(pair)
    }
    client.on('close', onEnd)
    upstream.on('close', onEnd)
    client.on('error', () => {})
    upstream.on('error', () => {})
  })
  const destroy = (pair: Pair): void => {
    pairs.delete(pair)
    pair.client.destroy()
    pair.upstream.destroy()
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as net.AddressInfo).port
  const proxy: TcpProxy = {
    port,
    address: `ws://127.0.0.1:${port}`,
    get accepted() {
      return accepted
    },
    get open() {
      return pairs.size
    },
    dropped,
    freeze(direction = 'both', opts = {}) {
      for (const pair of pairs) {
        if (direction !== 'down') pair.upFrozen = true
        if (direction !== 'up') pair.downFrozen = true
      }
      freezeNew = opts.newToo === true ? direction : null
    },
    thaw() {
      freezeNew = null
      for (const pair of [...pairs]) {
        if (pair.closed || pair.client.destroyed || pair.upstream.destroyed) destroy(pair)
        else pair.upFrozen = pair.downFrozen = false
      }
    },
    cutAll() {
      for (const pair of [...pairs]) destroy(pair)
    },
    refuse(on) {
      refusing = on
    },
    retarget(p) {
      target = p
    },
    async close() {
      for (const pair of [...pairs]) destroy(pair)
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
    async [Symbol.asyncDispose]() {
      await proxy.close()
    },
  }
  return proxy
}

/** A TCP port that was free a moment ago (for a daemon that must come back on the same port). */
export async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
