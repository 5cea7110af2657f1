// The client side of the floor (peers/floor-server.ts): [id, method, args] out, [id, result] back
// over a bare ws connection — used by the load workers and by the instruction counter alike.

import { Packr, Unpackr } from 'msgpackr'
import WebSocket from 'ws'

export interface FloorClient {
  call(method: 'set' | 'get', key: string, value?: number): Promise<unknown>
  close(): Promise<void>
}

export async function connectFloor(address: string): Promise<FloorClient> {
  const ws = new WebSocket(address, { perMessageDeflate: false })
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  const packr = new Packr({ useRecords: false })
  const unpackr = new Unpackr({ useRecords: false })
  const pending = new Map<number, (v: unknown) => void>()
  let next = 1
  ws.on('message', (data: Buffer) => {
    const [id, result] = unpackr.unpack(data) as [number, unknown]
    const resolve = pending.get(id)
    pending.delete(id)
    resolve?.(result)
  })
  return {
    call: (method, key, value) =>
      new Promise((resolve) => {
        const id = next++
        pending.set(id, resolve)
        ws.send(packr.pack([id, method, method === 'set' ? [key, value] : [key]]))
      }),
    close: async () => ws.close(),
  }
}
