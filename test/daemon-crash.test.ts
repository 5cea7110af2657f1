// The daemon process dies (SIGKILL) and a new one starts on the same port: clients see the link
// drop, reconnect, and get a new session (sessionLost); every old proxy is stale, and an old
// object id can never reach a new object, because ids carry a per-boot random prefix. And key
// rotation: a client that reads its key from a file reads it again when it reconnects.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, type ConnectOptions, type DictProxy, type LockProxy, type Manager } from '../client'
import { startCli } from './helpers/cli'
import { TEST_KEY, eventually } from './helpers/harness'
import { freePort } from './helpers/tcp-proxy'
import { rejectionOf } from './helpers/tracking'

const reconnect = { initialDelayMs: 50, maxDelayMs: 200 }

async function withEvents(address: string, options: ConnectOptions): Promise<Manager & { events: string[] }> {
  const m = await connect(address, options)
  const events: string[] = []
  for (const e of ['goaway', 'disconnect', 'sessionLost', 'reconnect', 'close'] as const) m.on(e, () => events.push(e))
  return Object.assign(m, { events })
}

describe('the daemon crashes', () => {
  test('SIGKILL, then a new daemon on the same port: sessionLost, old proxies stale, ids never confused', async () => {
    const port = await freePort()
    const env = { MANAGERD_AUTHKEY: TEST_KEY }
    const first = await startCli(['--port', String(port)], env)
    await using a = await withEvents(first.address, { authkey: TEST_KEY, reconnect })
    await using b = await withEvents(first.address, { authkey: TEST_KEY, reconnect })
    const d = await a.dict<string, number>([['k', 1]])
    await a.publish('d', d)
    const seen = await b.lookup<DictProxy<string, number>>('d')
    const lock: LockProxy = await b.lock()
    await lock.acquire()
    const oldBoot = (await a.debugInfo()).bootId
    const before = await a.numberOfObjects()

    first.child.kill('SIGKILL')
    await first.exited
    await eventually(() => a.events.includes('disconnect') && b.events.includes('disconnect'), 5000, 'both to see the drop')
    const second = await startCli(['--port', String(port)], env)
    try {
      await eventually(() => a.events.includes('reconnect') && b.events.includes('reconnect'), 10_000, 'both to reconnect')
      expect(a.events).toEqual(['disconnect', 'sessionLost', 'reconnect'])
      expect(b.events).toEqual(['disconnect', 'sessionLost', 'reconnect'])
      const after = await a.numberOfObjects()
      expect(after).toBe(0)
      console.log(`daemon SIGKILLed and restarted on port ${port}: ${before} objects before, ${after} after`)

      for (const call of [d.get('k'), seen.get('k'), lock.release(), b.publish('again', seen)]) {
        expect(await rejectionOf(call)).toMatchObject({ name: 'StaleProxyError', code: 'MANAGERD_ERR_STALE_PROXY' })
      }
      // The new daemon counts its ids from the start again; the boot prefix keeps them apart.
      const fresh = await a.dict()
      const info = await a.debugInfo()
      expect(info.bootId).not.toBe(oldBoot)
      expect(fresh.$token.id.startsWith(info.bootId)).toBe(true)
      expect(d.$token.id.startsWith(oldBoot)).toBe(true)
      expect(fresh.$token.id.slice(info.bootId.length)).toBe(d.$token.id.slice(oldBoot.length))
      expect(fresh.$token.id).not.toBe(d.$token.id)
      // An old id sent by hand reaches nothing.
      const err = await rejectionOf(a.connection.call(d.$token.id, 'get', ['k']))
      expect(err).toMatchObject({ name: 'DispatchError', remoteCode: 'MANAGERD_ERR_UNKNOWN_OBJECT' })
      await fresh.$release()
    } finally {
      await a.close()
      await b.close()
      second.child.kill('SIGTERM')
      await second.exited
    }
  })

  test('key rotation: a client reading its key from a file uses the new key when it reconnects', async () => {
    const keyFile = join(mkdtempSync(join(tmpdir(), 'managerd-rotate-')), 'authkey')
    writeFileSync(keyFile, 'old-key-0123456789\n', { mode: 0o600 })
    const port = await freePort()
    const env = { MANAGERD_AUTHKEY: '', MANAGERD_AUTHKEY_FILE: keyFile }
    const saved = { key: process.env.MANAGERD_AUTHKEY, file: process.env.MANAGERD_AUTHKEY_FILE }
    process.env.MANAGERD_AUTHKEY = ''
    process.env.MANAGERD_AUTHKEY_FILE = keyFile
    const first = await startCli(['--port', String(port)], env)
    try {
      await using m = await withEvents(first.address, { reconnect }) // no key given: read from the file
      await m.ping()
      writeFileSync(keyFile, 'new-key-9876543210\n', { mode: 0o600 })
      first.child.kill('SIGTERM')
      await first.exited
      const second = await startCli(['--port', String(port)], env)
      try {
        await eventually(() => m.events.includes('reconnect'), 10_000, 'the client to reconnect with the new key')
        expect(m.events).toEqual(['goaway', 'disconnect', 'sessionLost', 'reconnect'])
        await m.ping()
        expect(second.logs.some((l) => l.msg === 'authentication failed')).toBe(false)
      } finally {
        await m.close()
        second.child.kill('SIGTERM')
        await second.exited
      }
    } finally {
      if (first.child.exitCode === null) first.child.kill('SIGKILL')
      for (const [name, value] of [['MANAGERD_AUTHKEY', saved.key], ['MANAGERD_AUTHKEY_FILE', saved.file]] as const) {
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
      }
    }
  })
})
