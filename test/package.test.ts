// The package as users install it: name, engines, the `managerd` bin, and the exports map (types
// first, then the code) resolving by package name to the built entry points.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(__dirname, '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string
  engines: { node: string }
  bin: Record<string, string>
  exports: Record<string, string | Record<string, string>>
}

describe('package.json', () => {
  test('name managerd, Node 20 or later', () => {
    expect(pkg.name).toBe('managerd')
    expect(pkg.engines.node).toBe('>=20')
  })

  test('the managerd bin is the built CLI with a node shebang, and it runs', () => {
    const bin = join(root, pkg.bin.managerd!)
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
    const r = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8', timeout: 20_000 })
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('serve')
  })

  test.each(['.', './client', './server', './protocol'])('exports %s: types first, and both files built', (subpath) => {
    const entry = pkg.exports[subpath]
    expect(typeof entry).toBe('object')
    const conditions = entry as Record<string, string>
    // TypeScript takes the first matching condition: `types` must come before `default`.
    expect(Object.keys(conditions)).toEqual(['types', 'default'])
    expect(conditions.types).toMatch(/\.d\.ts$/)
    for (const file of Object.values(conditions)) expect(existsSync(join(root, file))).toBe(true)
  })

  test('managerd/client, managerd/server and managerd/protocol resolve by name, from require and import', () => {
    const script = `
      const client = require('managerd/client'), server = require('managerd/server'), protocol = require('managerd/protocol')
      import('managerd/client').then((esm) => console.log(JSON.stringify({
        client: [typeof client.connect, typeof client.startManager, typeof client.localManager],
        server: [typeof server.Daemon],
        protocol: [protocol.PROTOCOL_VERSION, protocol.SUBPROTOCOL],
        esm: typeof esm.connect,
        main: require.resolve('managerd') === require.resolve('managerd/client'),
      })))`
    const r = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', timeout: 20_000 })
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toEqual({
      client: ['function', 'function', 'function'],
      server: ['function'],
      protocol: [1, 'managerd.v1'],
      esm: 'function',
      main: true,
    })
  })
})
