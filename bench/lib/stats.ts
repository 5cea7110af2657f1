// Figures from repeated runs: every number the harness reports is a median with its spread,
// because these machines are noisy and one run says little.

export interface Figure {
  median: number
  min: number
  max: number
  runs: number[]
}

export function figure(runs: number[]): Figure {
  const sorted = [...runs].sort((a, b) => a - b)
  const n = sorted.length
  const median = n === 0 ? NaN : n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2
  return { median, min: sorted[0] ?? NaN, max: sorted[n - 1] ?? NaN, runs }
}

/** "12.3k ±4%": the median and the half-width of the spread relative to it. */
export function formatFigure(f: Figure | undefined, unit = ''): string {
  if (f === undefined || Number.isNaN(f.median)) return '—'
  const spread = f.median > 0 ? Math.round(((f.max - f.min) / 2 / f.median) * 100) : 0
  return `${formatNumber(f.median)}${unit} ±${spread}%`
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n)
  const abs = Math.abs(n)
  if (abs >= 1e6) return `${(n / 1e6).toFixed(2)}M`
  if (abs >= 1e4) return `${(n / 1e3).toFixed(1)}k`
  if (abs >= 100) return n.toFixed(0)
  if (abs >= 10) return n.toFixed(1)
  return n.toFixed(2)
}

export function ratio(ours: Figure | undefined, theirs: Figure | undefined): number | undefined {
  if (ours === undefined || theirs === undefined || !(theirs.median > 0)) return undefined
  return ours.median / theirs.median
}
