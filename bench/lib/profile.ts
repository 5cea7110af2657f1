// Reading a V8 .cpuprofile: the functions with the most self time, as shares of the time the
// process was busy (idle samples are left out: the daemon idles while other systems are measured).

import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}

export function topFrames(file: string, top = 15): Array<{ frame: string; selfPct: number }> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[] }
  const byFrame = new Map<string, number>()
  let total = 0
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0
    const { functionName, url, lineNumber } = node.callFrame
    if (functionName === '(idle)') continue
    total += hits
    const where = url === '' ? '' : ` ${shortUrl(url)}:${lineNumber + 1}`
    const frame = `${functionName || '(anonymous)'}${where}`
    byFrame.set(frame, (byFrame.get(frame) ?? 0) + hits)
  }
  return [...byFrame]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([frame, hits]) => ({ frame, selfPct: Math.round((hits / total) * 1000) / 10 }))
}

/** node_modules/<package>/… for dependencies, dist/… for managerd's own code. */
function shortUrl(url: string): string {
  const dep = url.lastIndexOf('/node_modules/')
  if (dep >= 0) return url.slice(dep + 1)
  const own = url.lastIndexOf('/dist/')
  return own >= 0 ? url.slice(own + 1) : url
}
