// One load-generating client process: connects to a system (managerd, the floor, Redis), waits
// for 'go', runs one operation for a fixed time, and reports what it completed. Every system is
// driven the same way, so their figures compare.

import * as hdr from 'hdr-histogram-js'
import Redis from 'ioredis'
import { Packr } from 'msgpackr'
import { connect as tcpConnect } from 'node:net'
import { connect, type DictProxy, type Manager } from '../../client'
import { connectFloor } from '../lib/floor-client'

export interface LoadJob {
  system: 'managerd' | 'floor' | 'tcp' | 'redis'
  address: string
  authkey?: string
  /** seq: set then get, one call at a time; pipe: `inflight` calls outstanding; churn: create+release;
   *  ping/pong: the two ends of a queue ping-pong; lock: acquire+release. */
  op: 'seq' | 'pipe' | 'churn' | 'ping' | 'pong' | 'lock'
  inflight: number
  durationMs: number
  histogram: boolean
  /** An untimed run of this long before 'ready', so every system is measured with its JIT warm
   *  (a cold managerd client or daemon runs ~3x slower for its first few thousand calls). */
  warmupMs: number
}

export interface LoadResult {
  ops: number
  seconds: number
  /** CPU this client process used during the run (user + system), µs. */
  cpuUs: number
  p50us?: number
  p99us?: number
}

type Call = (method: 'set' | 'get', key: string, value?: number) => Promise<unknown>

interface Target {
  call: Call
  close(): Promise<void>
  manager?: Manager
}

async function managerdTarget(job: LoadJob): Promise<Target> {
  const manager = await connect(job.address, { authkey: job.authkey ?? 'bench', name: `bench-${process.pid}` })
  const dict = await manager.lookup<DictProxy<string, number>>('bench')
  return {
    manager,
    call: (method, key, value) => (method === 'set' ? dict.set(key, value!) : dict.get(key)),
    close: () => manager.close(),
  }
}

function floorTarget(job: LoadJob): Promise<Target> {
  return connectFloor(job.address)
}

/** The TCP floor echoes each length-prefixed frame; a call is one frame out, its echo back. */
async function tcpTarget(job: LoadJob): Promise<Target> {
  const url = new URL(job.address)
  const socket = tcpConnect(Number(url.port), url.hostname)
  socket.setNoDelay(true)
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  const packr = new Packr({ useRecords: false })
  const waiting: Array<(v: unknown) => void> = [] // echoes come back in order
  let pending: Buffer | null = null
  socket.on('data', (chunk: Buffer) => {
    let buf = pending === null ? chunk : Buffer.concat([pending, chunk])
    while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
      buf = buf.subarray(4 + buf.readUInt32BE(0))
      waiting.shift()!(null)
    }
    pending = buf.length === 0 ? null : buf
  })
  let next = 1
  return {
    call: (method, key, value) =>
      new Promise((resolve) => {
        // The bytes a floor request would carry, so both floors move the same payload.
        const body = packr.pack([next++, method, method === 'set' ? [key, value] : [key]])
        const frame = Buffer.allocUnsafe(4 + body.length)
        frame.writeUInt32BE(body.length, 0)
        body.copy(frame, 4)
        waiting.push(resolve)
        socket.write(frame)
      }),
    close: async () => {
      socket.destroy()
    },
  }
}

async function redisTarget(job: LoadJob): Promise<Target> {
  const redis = new Redis(job.address, { enableAutoPipelining: job.op === 'pipe', lazyConnect: true })
  await redis.connect()
  return {
    call: (method, key, value) => (method === 'set' ? redis.set(key, String(value)) : redis.get(key)),
    close: async () => {
      redis.disconnect()
    },
  }
}

/** The operation of one iteration; resolves with how many operations it completed. */
async function operation(job: LoadJob, target: Target, i: number): Promise<number> {
  const key = `k${i % 1000}`
  switch (job.op) {
    case 'churn': {
      const d = await target.manager!.dict()
      await d.$release()
      return 1
    }
    default:
      await target.call(i % 2 === 0 ? 'set' : 'get', key, i)
      return 1
  }
}

async function queueOrLock(job: LoadJob, target: Target, until: number): Promise<number> {
  const m = target.manager!
  type Queue = { put(v: unknown): Promise<void>; get(): Promise<unknown> }
  type Lock = { acquire(): Promise<boolean>; release(): Promise<void> }
  let n = 0
  if (job.op === 'lock') {
    const lock = await m.lookup<Lock>('lock')
    while (Date.now() < until) {
      await lock.acquire()
      await lock.release()
      n++
    }
    return n
  }
  const ping = await m.lookup<Queue>('ping')
  const pong = await m.lookup<Queue>('pong')
  if (job.op === 'pong') {
    // Echo until the ping side says it is done (null): a timed stop here could strand it.
    for (;;) {
      const v = await ping.get()
      if (v === null) return n
      await pong.put(v)
      n++
    }
  }
  while (Date.now() < until) {
    await ping.put(n)
    await pong.get()
    n++
  }
  await ping.put(null)
  return n
}

async function run(job: LoadJob, target: Target): Promise<LoadResult> {
  const histogram = job.histogram ? hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 }) : undefined
  const start = Date.now()
  const cpuStart = process.cpuUsage()
  const until = start + job.durationMs
  let ops = 0
  if (job.op === 'ping' || job.op === 'pong' || job.op === 'lock') {
    ops = await queueOrLock(job, target, until)
  } else if (job.op === 'seq' || job.op === 'churn' && job.inflight <= 1) {
    for (let i = 0; Date.now() < until; i++) {
      const t0 = process.hrtime.bigint()
      const done = await operation(job, target, i)
      histogram?.recordValue(Number(process.hrtime.bigint() - t0) / 1000)
      ops += done
    }
  } else {
    // Closed loop: `inflight` chains, each starting its next call when the last one completes.
    let i = 0
    const chain = async (): Promise<void> => {
      while (Date.now() < until) {
        // Not `ops += await …`: that reads `ops` before the await and loses other chains' counts.
        const done = await operation(job, target, i++)
        ops += done
      }
    }
    await Promise.all(Array.from({ length: job.inflight }, chain))
  }
  const seconds = (Date.now() - start) / 1000
  const cpu = process.cpuUsage(cpuStart)
  const result: LoadResult = { ops, seconds, cpuUs: cpu.user + cpu.system }
  if (histogram !== undefined) {
    result.p50us = histogram.getValueAtPercentile(50)
    result.p99us = histogram.getValueAtPercentile(99)
  }
  return result
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]!) as LoadJob
  const targets = { managerd: managerdTarget, floor: floorTarget, tcp: tcpTarget, redis: redisTarget }
  const target = await targets[job.system](job)
  if (job.warmupMs > 0) await run({ ...job, durationMs: job.warmupMs, histogram: false }, target)
  process.send!({ ready: true })
  // Each 'go' is one timed run; 'exit' ends the worker. Connections stay up between runs.
  for (;;) {
    const msg = await new Promise<unknown>((resolve) => process.once('message', resolve))
    if (msg !== 'go') break
    process.send!({ result: await run(job, target) })
  }
  await target.close()
  process.disconnect()
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
