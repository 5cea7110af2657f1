// A strict parser of the Prometheus text exposition format 0.0.4, for tests that scrape /metrics.
// Strict on purpose: a malformed line, a TYPE after its samples, a family split in two, a
// duplicate series, or a histogram whose buckets are not cumulative or lack +Inf is an error —
// what a Prometheus server would reject or silently misread.

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped'

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
  timestamp: number | null
}

export interface Family {
  name: string
  help: string | null
  type: MetricType
  samples: Sample[]
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/
const TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped'])

export class PromParseError extends Error {
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`)
  }
}

function unescape(s: string, quotes: boolean, fail: (m: string) => never): string {
  return s.replace(/\\(.)/g, (_, c: string) => {
    if (c === '\\') return '\\'
    if (c === 'n') return '\n'
    if (c === '"' && quotes) return '"'
    return fail(`invalid escape \\${c}`)
  })
}

/** As Prometheus reads values (Go's ParseFloat): NaN and Inf in any case — prom-client writes "Nan". */
function parseValue(raw: string, fail: (m: string) => never): number {
  if (/^nan$/i.test(raw)) return NaN
  if (/^\+?inf(inity)?$/i.test(raw)) return Infinity
  if (/^-inf(inity)?$/i.test(raw)) return -Infinity
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) fail(`invalid value ${JSON.stringify(raw)}`)
  return Number(raw)
}

/** The family a sample name belongs to, given the declared types so far. */
function familyOf(name: string, declared: Map<string, Family>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue
    const base = name.slice(0, -suffix.length)
    const t = declared.get(base)?.type
    if (t === 'histogram' || (t === 'summary' && suffix !== '_bucket')) return base
  }
  return name
}

function parseSample(text: string, fail: (m: string) => never): Sample {
  const nameMatch = METRIC_NAME.exec(text)
  if (nameMatch === null) fail('a sample must start with a metric name')
  const name = nameMatch[0]
  let rest = text.slice(name.length)
  const labels: Record<string, string> = Object.create(null) as Record<string, string>
  if (rest.startsWith('{')) {
    rest = rest.slice(1)
    for (;;) {
      rest = rest.replace(/^[ \t]*/, '')
      if (rest.startsWith('}')) break
      const ln = LABEL_NAME.exec(rest)
      if (ln === null) fail('expected a label name')
      rest = rest.slice(ln[0].length).replace(/^[ \t]*/, '')
      if (!rest.startsWith('="')) fail(`expected ="…" after label ${ln[0]}`)
      const m = /^="((?:[^"\\\n]|\\.)*)"/.exec(rest)
      if (m === null) fail(`unterminated value of label ${ln[0]}`)
      if (Object.hasOwn(labels, ln[0])) fail(`label ${ln[0]} given twice`)
      labels[ln[0]] = unescape(m[1]!, true, fail)
      rest = rest.slice(m[0].length).replace(/^[ \t]*/, '')
      if (rest.startsWith(',')) rest = rest.slice(1)
      else if (!rest.startsWith('}')) fail('expected , or } in labels')
    }
    rest = rest.slice(1)
  }
  const parts = rest.trim().split(/[ \t]+/)
  if (!/^[ \t]/.test(rest) || parts.length < 1 || parts.length > 2 || parts[0] === '') fail('expected " value [timestamp]" after the name and labels')
  const timestamp = parts[1] === undefined ? null : /^-?\d+$/.test(parts[1]) ? Number(parts[1]) : fail(`invalid timestamp ${parts[1]}`)
  return { name, labels: { ...labels }, value: parseValue(parts[0]!, fail), timestamp }
}

function checkHistogram(f: Family, fail: (m: string) => never): void {
  const series = new Map<string, { buckets: Array<[number, number]>; count?: number; sum?: number }>()
  for (const s of f.samples) {
    const { le, ...rest } = s.labels
    const key = JSON.stringify(Object.entries(rest).sort())
    const entry = series.get(key) ?? { buckets: [] }
    series.set(key, entry)
    if (s.name === `${f.name}_bucket`) {
      if (le === undefined) fail(`${s.name} without an le label`)
      entry.buckets.push([parseValue(le, fail), s.value])
    } else if (s.name === `${f.name}_count`) entry.count = s.value
    else if (s.name === `${f.name}_sum`) entry.sum = s.value
    else fail(`${s.name} does not belong to histogram ${f.name}`)
  }
  for (const [key, e] of series) {
    if (e.count === undefined || e.sum === undefined) fail(`histogram ${f.name}${key}: _count and _sum are required`)
    const last = e.buckets[e.buckets.length - 1]
    if (last === undefined || last[0] !== Infinity) fail(`histogram ${f.name}${key}: the last bucket must be le="+Inf"`)
    for (let i = 1; i < e.buckets.length; i++) {
      if (!(e.buckets[i]![0] > e.buckets[i - 1]![0])) fail(`histogram ${f.name}${key}: bucket bounds must increase`)
      if (e.buckets[i]![1] < e.buckets[i - 1]![1]) fail(`histogram ${f.name}${key}: buckets must be cumulative`)
    }
    if (last[1] !== e.count) fail(`histogram ${f.name}${key}: the +Inf bucket (${last[1]}) must equal _count (${e.count})`)
  }
}

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>()
  const seriesSeen = new Set<string>()
  const typed = new Set<string>()
  let current: string | null = null
  const closed = new Set<string>()
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  else if (text.length > 0) throw new PromParseError(lines.length, 'the exposition must end with a newline')
  const family = (name: string, fail: (m: string) => never): Family => {
    if (current !== name) {
      if (closed.has(name)) fail(`metric family ${name} is split: its lines must be together`)
      if (current !== null) closed.add(current)
      current = name
    }
    let f = families.get(name)
    if (f === undefined) families.set(name, (f = { name, help: null, type: 'untyped', samples: [] }))
    return f
  }
  lines.forEach((line, i) => {
    const fail = (m: string): never => {
      throw new PromParseError(i + 1, m)
    }
    if (line.trim() === '') return
    const meta = /^#[ \t]+(HELP|TYPE)[ \t]+([^ \t]+)(?:[ \t]+(.*))?$/.exec(line)
    if (meta !== null) {
      const [, kind, name, rest = ''] = meta as unknown as [string, 'HELP' | 'TYPE', string, string | undefined]
      if (!METRIC_NAME.test(name) || METRIC_NAME.exec(name)![0] !== name) fail(`invalid metric name ${name}`)
      const f = family(name, fail)
      if (kind === 'HELP') {
        if (f.help !== null) fail(`second HELP for ${name}`)
        f.help = unescape(rest, false, fail)
      } else {
        if (!TYPES.has(rest)) fail(`unknown type ${JSON.stringify(rest)} for ${name}`)
        if (f.samples.length > 0) fail(`TYPE of ${name} after its samples`)
        if (typed.has(name)) fail(`second TYPE for ${name}`)
        typed.add(name)
        f.type = rest as MetricType
      }
      return
    }
    if (line.startsWith('#')) return // a comment
    const sample = parseSample(line, fail)
    const f = family(familyOf(sample.name, families), fail)
    const id = sample.name + JSON.stringify(Object.entries(sample.labels).sort())
    if (seriesSeen.has(id)) fail(`duplicate series ${sample.name}${JSON.stringify(sample.labels)}`)
    seriesSeen.add(id)
    if (f.type === 'counter' && !(sample.value >= 0)) fail(`counter ${sample.name} is ${sample.value}`)
    f.samples.push(sample)
  })
  for (const f of families.values()) {
    if (f.type === 'histogram') checkHistogram(f, (m) => { throw new PromParseError(0, m) })
  }
  return families
}

/** The value of the one sample named `name` whose labels include `labels`; throws if not exactly one. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const matches = [...families.values()].flatMap((f) => f.samples).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
  if (matches.length !== 1) throw new Error(`expected one sample ${name}${JSON.stringify(labels)}, found ${matches.length}`)
  return matches[0]!.value
}
