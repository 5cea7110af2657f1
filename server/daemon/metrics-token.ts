// The metrics token: from --metrics-token / MANAGERD_METRICS_TOKEN, or read from
// --metrics-token-file (a mounted secret). It guards /metrics and /status.json, not the sessions.

import { readFileSync } from 'node:fs'
import type { Logger } from 'pino'
import { ConfigError } from '../../protocol'

export interface MetricsTokenSource {
  metricsToken: string | undefined
  metricsTokenFile: string | undefined
}

export function resolveMetricsToken(source: MetricsTokenSource, log: Logger): string | undefined {
  if (source.metricsToken !== undefined && source.metricsTokenFile !== undefined) {
    throw new ConfigError('give the metrics token once: --metrics-token or --metrics-token-file, not both')
  }
  let token = source.metricsToken
  if (source.metricsTokenFile !== undefined) {
    try {
      token = readFileSync(source.metricsTokenFile, 'utf8')
    } catch (err) {
      throw new ConfigError(`cannot read metrics token file ${source.metricsTokenFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
    }
  }
  if (token === undefined) return undefined
  token = token.trim()
  if (token.length === 0) throw new ConfigError('the metrics token is empty')
  if (/\s/.test(token)) throw new ConfigError('the metrics token must not contain whitespace (it goes in an HTTP header)')
  if (token.length < 16) log.warn({ length: token.length }, 'the metrics token is short; use 16 characters or more (managerd keygen makes one)')
  return token
}
