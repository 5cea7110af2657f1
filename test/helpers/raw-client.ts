// A bare WebSocket peer for tests that must speak the wire by hand (hostile or foreign clients).

import WebSocket from 'ws'
import { SUBPROTOCOL, WS_PATH } from '../../protocol'

export interface RawSocket {
  ws: WebSocket
  /** Frames received so far (raw bytes). */
  frames: Buffer[]
  /** Resolves with the next frame not yet taken (rejects once the socket is closed without one). */
  next(timeoutMs?: number): Promise<Buffer>
  /** Resolves with [code, reason] when the socket closes. */
  closed: Promise<[number, string]>
}

export async function rawSocket(address: string, protocol: string | null = SUBPROTOCOL, options: WebSocket.ClientOptions = {}): Promise<RawSocket> {
  const ws = new WebSocket(address + WS_PATH, protocol === null ? [] : [protocol], options)
  const frames: Buffer[] = []
  let taken = 0
  const waiters: Array<() => void> = []
  ws.on('message', (data: Buffer) => {
    frames.push(data)
    for (const w of waiters.splice(0)) w()
  })
  let isClosed = false
  const closed = new Promise<[number, string]>((resolve) =>
    ws.on('close', (code, reason) => {
      isClosed = true
      resolve([code, reason.toString()])
      for (const w of waiters.splice(0)) w()
    }),
  )
  ws.on('error', () => {})
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  return {
    ws,
    frames,
    closed,
    next(timeoutMs = 10_000) {
      return new Promise<Buffer>((resolve, reject) => {
        const take = (): boolean => {
          if (taken < frames.length) {
            resolve(frames[taken++]!)
            return true
          }
          return false
        }
        if (take()) return
        if (isClosed) return reject(new Error('the socket is closed'))
        const timer = setTimeout(() => reject(new Error('no frame arrived')), timeoutMs)
        const wait = (): void => {
          if (take()) clearTimeout(timer)
          else if (isClosed) {
            clearTimeout(timer)
            reject(new Error('the socket is closed'))
          } else waiters.push(wait)
        }
        waiters.push(wait)
      })
    },
  }
}
