// The strict Prometheus text parser the metrics tests rely on: what it accepts, and one row per
// malformed input it must refuse (so a broken /metrics cannot pass by being misread).

import { PromParseError, parsePrometheusText, sampleValue } from '../prom-text'

const GOOD = `# HELP requests_total Requests served.\\nSecond line, a backslash \\\\.
# TYPE requests_total counter
requests_total{method="get",path="/a \\"b\\"\\\\c"} 10
requests_total{method="post"} 2.5e1 1700000000000
# a comment
# TYPE temp gauge
temp -1.5
temp{where="out"} NaN
temp{where="in"} Nan
# TYPE latency_seconds histogram
latency_seconds_bucket{le="0.1",mode="x"} 1
latency_seconds_bucket{le="1",mode="x"} 3
latency_seconds_bucket{le="+Inf",mode="x"} 4
latency_seconds_sum{mode="x"} 2.2
latency_seconds_count{mode="x"} 4
# TYPE rpc summary
rpc{quantile="0.5"} 0.2
rpc_sum 9
rpc_count 30
untyped_thing +Inf
`

describe('parsePrometheusText', () => {
  test('reads families, types, help, labels with escapes, values and timestamps', () => {
    const f = parsePrometheusText(GOOD)
    expect([...f.keys()]).toEqual(['requests_total', 'temp', 'latency_seconds', 'rpc', 'untyped_thing'])
    expect(f.get('requests_total')).toMatchObject({ type: 'counter', help: 'Requests served.\nSecond line, a backslash \\.' })
    expect(f.get('requests_total')!.samples[0]!.labels).toEqual({ method: 'get', path: '/a "b"\\c' })
    expect(f.get('requests_total')!.samples[1]).toMatchObject({ value: 25, timestamp: 1700000000000 })
    expect(f.get('temp')!.samples[0]).toMatchObject({ name: 'temp', labels: {}, value: -1.5 })
    expect(sampleValue(f, 'temp', { where: 'out' })).toBeNaN()
    expect(sampleValue(f, 'temp', { where: 'in' })).toBeNaN() // prom-client's spelling; Prometheus reads it
    expect(sampleValue(f, 'latency_seconds_bucket', { le: '+Inf' })).toBe(4)
    expect(f.get('latency_seconds')!.samples).toHaveLength(5)
    expect(f.get('rpc')).toMatchObject({ type: 'summary' })
    expect(f.get('rpc')!.samples.map((s) => s.name)).toEqual(['rpc', 'rpc_sum', 'rpc_count'])
    expect(f.get('untyped_thing')).toMatchObject({ type: 'untyped', samples: [{ value: Infinity }] })
  })

  test('sampleValue insists on exactly one match', () => {
    const f = parsePrometheusText(GOOD)
    expect(() => sampleValue(f, 'requests_total')).toThrow(/found 2/)
    expect(() => sampleValue(f, 'nope')).toThrow(/found 0/)
  })

  const bad: Array<[string, string, RegExp]> = [
    ['no final newline', 'a 1', /end with a newline/],
    ['a bad metric name', '1abc 2\n', /must start with a metric name/],
    ['no value', 'a\n', /value/],
    ['a bad value', 'a one\n', /invalid value/],
    ['a bad timestamp', 'a 1 soon\n', /invalid timestamp/],
    ['too many fields', 'a 1 2 3\n', /value \[timestamp\]/],
    ['an unterminated label value', 'a{x="1} 1\n', /unterminated/],
    ['a label without quotes', 'a{x=1} 1\n', /expected ="…"/],
    ['a label given twice', 'a{x="1",x="2"} 1\n', /given twice/],
    ['a bad escape', 'a{x="\\t"} 1\n', /invalid escape/],
    ['missing comma', 'a{x="1" y="2"} 1\n', /expected , or }/],
    ['an unknown type', '# TYPE a countr\na 1\n', /unknown type/],
    ['a second TYPE', '# TYPE a gauge\n# TYPE a gauge\na 1\n', /second TYPE/],
    ['a second HELP', '# HELP a x\n# HELP a y\na 1\n', /second HELP/],
    ['TYPE after samples', 'a 1\n# TYPE a gauge\n', /after its samples/],
    ['a split family', 'a 1\nb 1\na{x="1"} 2\n', /split/],
    ['a duplicate series', 'a{x="1",y="2"} 1\na{y="2",x="1"} 2\n', /duplicate series/],
    ['a negative counter', '# TYPE c counter\nc -1\n', /counter c is -1/],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n', /\+Inf/],
    ['a histogram not cumulative', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="2"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 2\n', /cumulative/],
    ['a histogram whose +Inf is not its count', '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n', /must equal _count/],
    ['a histogram without _sum', '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_count 2\n', /_count and _sum/],
    ['a bucket without le', '# TYPE h histogram\nh_bucket 2\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 2\n', /without an le/],
    ['bounds not increasing', '# TYPE h histogram\nh_bucket{le="2"} 1\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n', /must increase/],
  ]
  test.each(bad)('refuses %s', (_name, text, message) => {
    let thrown: unknown
    try {
      parsePrometheusText(text)
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeInstanceOf(PromParseError)
    expect((thrown as Error).message).toMatch(message)
  })
})
