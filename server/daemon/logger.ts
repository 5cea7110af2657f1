// pino, configured once: JSON on stdout, secrets redacted wherever they might be logged.

import pino, { type Logger } from 'pino'

export const REDACT_PATHS = [
  'authkey',
  '*.authkey',
  'resumeToken',
  '*.resumeToken',
  'resume',
  '*.resume',
  'hello.resume',
  'token',
  '*.token',
  'config.authkey',
  'metricsToken',
  '*.metricsToken',
  'config.metricsToken',
  'req.headers.authorization',
]

export function createLogger(level: string, pretty?: boolean, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name: 'managerd',
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  }
  const wantPretty = pretty ?? (destination === undefined && process.stdout.isTTY === true)
  if (wantPretty && destination === undefined) {
    try {
      require.resolve('pino-pretty')
      return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } })
    } catch {
      // pino-pretty is optional: fall back to JSON
    }
  }
  return destination === undefined ? pino(options) : pino(options, destination)
}
