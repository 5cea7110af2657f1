// What every benchmark row gets: the run settings and the systems under test, started once.

import type { Figure } from './stats'
import type { Peer } from './processes'

export type System = 'managerd' | 'floorNaive' | 'floorCorked' | 'floorTcp' | 'redis' | 'python'

export interface Row {
  id: string
  measure: string
  unit: string
  values: Partial<Record<System, Figure>>
  /** Extra figures (latency percentiles, bytes per object…), already medians. */
  detail?: Record<string, number | string>
}

export interface BenchContext {
  quick: boolean
  runs: number
  /** Seconds per timed run. */
  seconds: number
  /** Untimed warm-up of each load worker before its timed runs (JIT), in ms. */
  warmupMs: number
  daemon: Peer
  floorNaive: Peer
  floorCorked: Peer
  /** Node's raw TCP echo (rows a and c): what any Node server costs per round trip. */
  floorTcp: Peer
  redisUrl: string | undefined
  redisPid: number | undefined
  notes: string[]
  /** Types the daemon has (rows e and f need Queue and Lock). */
  types: Set<string>
}
