// The daemon's Prometheus metrics, in a registry of its own (tests run many daemons in one
// process). Nothing here runs per call: the counters the core and transport already keep are
// read at scrape time through collect() callbacks; latency comes from the CallClock's buckets.

import { Counter, Gauge, Registry } from 'prom-client'
import { ReplyKind } from '../../protocol'
import { debugSummary } from '../core/debug-info'
import type { ManagerCore } from '../core/manager-core'
import type { SessionEventLog } from '../daemon/session-events'
import type { TransportStats } from '../transport/stats'
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

type Reading<L extends string> = Array<[Partial<Record<L, string>>, number]>

/**
 * A counter or gauge whose values are read from elsewhere at scrape time (the core and transport
 * keep them anyway): reset, then set from `read()`. Incrementing from zero sets both kinds.
 */
function readAtScrape<L extends string>(
  Metric: typeof Counter<L> | typeof Gauge<L>,
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  read: () => Reading<L>,
): void {
  new Metric({
    name,
    help,
    labelNames,
    registers: [registry],
    collect(this: Counter<L> | Gauge<L>) {
      this.reset()
      for (const [labels, value] of read()) this.inc(labels, value)
    },
  })
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[], read: () => Reading<L>): void {
  readAtScrape(Counter<L>, registry, name, help, labelNames, read)
}

function gauge<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[], read: () => Reading<L>): void {
  readAtScrape(Gauge<L>, registry, name, help, labelNames, read)
}

export class DaemonMetrics {
  readonly registry = new Registry()
  #withProcess: Registry | undefined

  constructor({ core, stats, clock, events }: MetricsSources) {
    const r = this.registry
    gauge(r, 'managerd_sessions', 'Sessions, by state: connected, or detached (waiting to be resumed).', ['state'], () => {
      const { sessions, connectedSessions } = debugSummary(core)
      return [[{ state: 'connected' }, connectedSessions], [{ state: 'detached' }, sessions - connectedSessions]]
    })
    counter(r, 'managerd_session_events_total', 'Session events: started, resumed, detached, ended.', ['event'], () =>
      Object.entries(events.totals).map(([event, n]) => [{ event }, n]),
    )
    gauge(r, 'managerd_objects', 'Live shared objects, by typeid (every registered type, 0 when none).', ['typeid'], () => {
      const byType = new Map<string, number>(core.registry.list().map((t) => [t.typeid, 0]))
      for (const [typeid, n] of Object.entries(debugSummary(core).objectsByType)) byType.set(typeid, n)
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
    gauge(r, 'managerd_parked_calls', 'Calls waiting on the daemon (a blocking get, acquire, wait, or an async method).', [], () => [
      [{}, debugSummary(core).parkedCalls],
    ])
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
