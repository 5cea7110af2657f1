// The daemon's logger redacts secrets wherever they are put in a log line.

import { Writable } from 'node:stream'
import { createLogger } from '../daemon/logger'

test('authkeys, resume tokens, metrics tokens and authorization headers are redacted', () => {
  let out = ''
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString()
      done()
    },
  })
  const log = createLogger('info', false, sink)
  log.info(
    {
      authkey: 'K1',
      config: { authkey: 'K2', metricsToken: 'M2' },
      hello: { resume: 'R1' },
      resumeToken: 'R2',
      session: { resumeToken: 'R3' },
      metricsToken: 'M1',
      req: { headers: { authorization: 'Bearer M3' } },
    },
    'everything secret',
  )
  const line = JSON.parse(out) as Record<string, unknown>
  expect(line.msg).toBe('everything secret')
  for (const secret of ['K1', 'K2', 'M1', 'M2', 'M3', 'R1', 'R2', 'R3']) expect(out).not.toContain(secret)
  expect(out).toContain('[redacted]')
})
