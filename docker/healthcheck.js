'use strict'
// The image's HEALTHCHECK, in node because the slim base has no curl: exit 0 only when
// GET /readyz answers 200, i.e. the daemon listens and is not draining.
const http = require('node:http')
const https = require('node:https')

const env = process.env
const port = Number(env.MANAGERD_PORT || 7400)
// A wildcard bind is reached on loopback; a specific address only on itself.
const bind = env.MANAGERD_HOST || '127.0.0.1'
const host = bind === '0.0.0.0' ? '127.0.0.1' : bind === '::' ? '::1' : bind
const client = env.MANAGERD_TLS_CERT ? https : http

const req = client.get({ host, port, path: '/readyz', timeout: 2000, rejectUnauthorized: false }, (res) => {
  res.resume()
  process.exit(res.statusCode === 200 ? 0 : 1)
})
req.on('timeout', () => req.destroy(new Error('timed out')))
req.on('error', (err) => {
  console.error(`healthcheck: ${err.message}`)
  process.exit(1)
})
