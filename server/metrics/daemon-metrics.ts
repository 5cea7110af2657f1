// The daemon's Prometheus metrics, in a registry of its own (tests run many daemons in one
// process). Nothing here runs per call: the counters the core and transport already keep are
// read at scrape time through collect() callbacks; latency comes from the CallClock's buckets.

import { Counter, Gauge, Registry } from 'prom-client'
import { ReplyKind } from '../../protocol'
import type { ManagerCore } from '../core/manager-core'
import type { SessionEventLog } from '../daemon/session-events'
import type { TransportStats } from '../transport/connection'
import { BucketHistogram } from './bucket-histogram'
import type { CallClock } from './call-clock'
import { LATENCY_BOUNDS_MS } from './latency-buckets'
import { processRegistry } from './process-metrics'

export interface MetricsSources {
  core: ManagerCore
  stats: TransportStats
  clock: CallClock
  events: SessionEventLog
}

/** A counter whose value is read from elsewhere at scrape time. */
function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[], read: () => Array<[Partial<Record<L, string>>, number]>): void {
  new Counter<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset()
      for (const [labels, value] of read()) this.inc(labels, value)
    },
  })
}

function gauge<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[], read: () => Array<[Partial<Record<L, string>>, number]>): void {
  new Gauge<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset()
      for (const [labels, value] of read()) this.set(labels, value)
    },
  })
}

export class DaemonMetrics {
  readonly registry = new Registry()
  #withProcess: Registry | undefined

  constructor({ core, stats, clock, events }: MetricsSources) {
    const r = this.registry
    gauge(r, 'managerd_sessions', 'Sessions, by state: connected, or detached (waiting to be resumed).', ['state'], () => {
      let connected = 0
      for (const s of core.sessions.values()) if (s.state === 'connected') connected++
      return [[{ state: 'connected' }, connected], [{ state: 'detached' }, core.sessions.size - connected]]
    })
    counter(r, 'managerd_session_events_total', 'Session events: started, resumed, detached, ended.', ['event'], () =>
      Object.entries(events.totals).map(([event, n]) => [{ event }, n]),
    )
    gauge(r, 'managerd_objects', 'Live shared objects, by typeid (every registered type, 0 when none).', ['typeid'], () => {
      const byType = new Map<string, number>(core.registry.list().map((t) => [t.typeid, 0]))
      for (const e of core.table.entries()) byType.set(e.typeid, (byType.get(e.typeid) ?? 0) + 1)
      return [...byType].map(([typeid, n]) => [{ typeid }, n])
    })
    gauge(r, 'managerd_published_names', 'Names published with publish().', [], () => [[{}, core.names.size]])
    counter(r, 'managerd_calls_total', 'Calls dispatched, by target: server methods or object methods.', ['target'], () => [
      [{ target: 'server' }, core.dispatcher.counts.server],
      [{ target: 'object' }, core.dispatcher.counts.object],
    ])
    counter(r, 'managerd_replies_total', 'Replies sent, by kind.', ['kind'], () =>
      Object.values(ReplyKind).map((kind) => [{ kind }, core.replies.counts[kind]]),
    )
    gauge(r, 'managerd_parked_calls', 'Calls waiting on the daemon (a blocking get, acquire, wait, or an async method).', [], () => {
      let n = 0
      for (const s of core.sessions.values()) n += s.parked.size
      return [[{}, n]]
    })
    new BucketHistogram({
      name: 'managerd_call_duration_seconds',
      help: 'Time on the daemon per call. mode="sync": answered in the frame that brought it (decode, dispatch, encode; a batch shares its frame\'s time); mode="parked": from dispatch until it settled, waiting included.',
      labelNames: ['mode'],
      registry: r,
      boundsMs: LATENCY_BOUNDS_MS,
      series: () => [
        { labels: { mode: 'sync' }, buckets: clock.sync },
        { labels: { mode: 'parked' }, buckets: clock.parked },
      ],
    })
    counter(r, 'managerd_received_bytes_total', 'WebSocket payload bytes received.', [], () => [[{}, stats.bytesIn]])
    counter(r, 'managerd_sent_bytes_total', 'WebSocket payload bytes sent.', [], () => [[{}, stats.bytesOut]])
    counter(r, 'managerd_received_frames_total', 'WebSocket frames received.', [], () => [[{}, stats.framesIn]])
    counter(r, 'managerd_sent_frames_total', 'WebSocket frames sent.', [], () => [[{}, stats.framesOut]])
    counter(r, 'managerd_handshakes_total', 'Successful handshakes.', [], () => [[{}, stats.handshakes]])
    counter(r, 'managerd_handshake_failures_total', 'Failed handshakes: reason="auth" (a wrong answer), "timeout" (none in time).', ['reason'], () => [
      [{ reason: 'auth' }, stats.authFailures],
      [{ reason: 'timeout' }, stats.handshakeTimeouts],
    ])
  }

  /** The Prometheus text: this daemon's metrics and the process's. */
  async text(): Promise<string> {
    this.#withProcess ??= Registry.merge([this.registry, processRegistry()])
    return this.#withProcess.metrics()
  }

  get contentType(): string {
    return this.registry.contentType
  }
}
