// A prom-client Histogram whose values come from LatencyBuckets at scrape time, so observing
// stays a few additions on the call path instead of prom-client's per-observation label lookup.

import { Histogram, type MetricObjectWithValues, type MetricType, type MetricValueWithName, type Registry } from 'prom-client'
import type { LatencyBuckets } from './latency-buckets'

type Series<L extends string> = ReadonlyArray<{ labels: Record<L, string>; buckets: LatencyBuckets }>

export class BucketHistogram<L extends string> extends Histogram<L> {
  readonly #series: () => Series<L>
  readonly #name: string
  readonly #help: string

  constructor(options: { name: string; help: string; labelNames: readonly L[]; registry: Registry; boundsMs: readonly number[]; series: () => Series<L> }) {
    super({
      name: options.name,
      help: options.help,
      labelNames: options.labelNames,
      buckets: options.boundsMs.map((ms) => ms / 1000),
      registers: [options.registry],
    })
    this.#series = options.series
    this.#name = options.name
    this.#help = options.help
  }

  override async get(): Promise<MetricObjectWithValues<MetricValueWithName<L>>> {
    return {
      name: this.#name,
      help: this.#help,
      // prom-client's typings say an enum; its registry prints this field, which is the string.
      type: 'histogram' as unknown as MetricType,
      aggregator: 'sum',
      collect: () => {},
      values: this.#values(),
    }
  }

  /** What prom-client's text output reads (it prefers this to get()). */
  async getForPromString(): Promise<MetricObjectWithValues<MetricValueWithName<L>>> {
    return this.get()
  }

  #values(): Array<MetricValueWithName<L>> {
    const values: Array<MetricValueWithName<L>> = []
    const bucketName = `${this.#name}_bucket`
    for (const { labels, buckets } of this.#series()) {
      let cumulative = 0
      buckets.boundsMs.forEach((ms, i) => {
        cumulative += buckets.counts[i]!
        values.push({ metricName: bucketName, labels: { ...labels, le: ms / 1000 }, value: cumulative })
      })
      values.push({ metricName: bucketName, labels: { ...labels, le: '+Inf' }, value: buckets.count })
      values.push({ metricName: `${this.#name}_sum`, labels: { ...labels }, value: buckets.sumMs / 1000 })
      values.push({ metricName: `${this.#name}_count`, labels: { ...labels }, value: buckets.count })
    }
    return values
  }
}
