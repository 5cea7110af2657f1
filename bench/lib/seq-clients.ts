// The sequential call both tools that compare per-call costs make (bench:instructions, bench:ab):
// dict set on even calls, get on odd ones, over 1000 keys — through managerd's client or the
// floor's, so both sides move the same operation.

import type { connect as Connect } from '../../client'
import { connectFloor } from './floor-client'

export interface SeqClient {
  call(i: number): Promise<unknown>
  close(): Promise<void>
}

const key = (i: number): string => `k${i % 1000}`

/** `connect`: this build's client, or another checkout's (bench:ab). */
export async function managerdSeqClient(address: string, connect: typeof Connect): Promise<SeqClient> {
  const manager = await connect(address, { authkey: 'bench' })
  const dict = await manager.dict<string, number>()
  return {
    call: (i) => (i % 2 === 0 ? dict.set(key(i), i) : dict.get(key(i))),
    close: () => manager.close(),
  }
}

export async function floorSeqClient(address: string): Promise<SeqClient> {
  const floor = await connectFloor(address)
  return {
    call: (i) => (i % 2 === 0 ? floor.call('set', key(i), i) : floor.call('get', key(i))),
    close: () => floor.close(),
  }
}
