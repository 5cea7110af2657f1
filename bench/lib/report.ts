// The harness's output: a readable table (each peer's figure and the ratios), the goals of
// issue 7 with met / not met, and the same as JSON under bench/results/.

import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Row, System } from './context'
import { formatFigure, formatNumber, ratio } from './stats'

const COLUMNS: Array<[System, string]> = [
  ['managerd', 'managerd'],
  ['floorNaive', 'floor naive'],
  ['floorCorked', 'floor corked'],
  ['floorTcp', 'node tcp echo'],
  ['redis', 'redis+ioredis'],
  ['python', 'python SyncManager'],
]

export interface Goal {
  goal: string
  value: number | undefined
  target: number
  met: boolean | undefined
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length)
}

export function renderTable(rows: Row[]): string {
  const header = ['row', 'measure', ...COLUMNS.map(([, h]) => h), '÷floor corked', '÷redis', '÷python']
  const lines: string[][] = [header]
  for (const row of rows) {
    if (Object.keys(row.values).length === 0) continue
    const r = (sys: System): string => {
      const x = ratio(row.values.managerd, row.values[sys])
      return x === undefined ? '—' : `${formatNumber(x)}×`
    }
    lines.push([row.id, `${row.measure} (${row.unit})`, ...COLUMNS.map(([s]) => formatFigure(row.values[s])), r('floorCorked'), r('redis'), r('python')])
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)))
  const out = lines.map((l) => l.map((c, i) => pad(c, widths[i]!)).join('  '))
  out.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '))
  const details = rows
    .filter((r) => r.detail !== undefined)
    .map((r) => `  ${r.id} ${r.measure}: ${Object.entries(r.detail!).map(([k, v]) => `${k} ${typeof v === 'number' ? formatNumber(v) : v}`).join(', ')}`)
  return [...out, '', 'details (medians):', ...details].join('\n')
}

export function renderGoals(goals: Goal[]): string {
  return goals
    .map((g) => `  [${g.met === undefined ? ' n/a ' : g.met ? ' met ' : ' MISS'}] ${g.goal}: ${g.value === undefined ? '—' : formatNumber(g.value)} (target ${formatNumber(g.target)})`)
    .join('\n')
}

export function writeResults(dir: string, payload: object): string {
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(file, JSON.stringify(payload, null, 2) + '\n')
  return file
}
