// CPU time a process has used, read from /proc/<pid>/stat (utime + stime), for any server the
// harness starts — managerd, the floors, redis-server — without asking the process itself.
// Resolution is one clock tick (10 ms): summed over whole runs it is well under a µs per call.

import { readFileSync } from 'node:fs'

const TICK_US = 10_000 // USER_HZ is 100 on Linux

/** µs of CPU `pid` has used so far, or undefined where /proc cannot tell (not Linux, gone). */
export function cpuMicros(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * TICK_US
  } catch {
    return undefined
  }
}
