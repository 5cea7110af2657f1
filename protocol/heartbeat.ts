// The liveness rule both sides keep: ping once per interval, check twice per interval, and give
// up on a peer silent for two intervals (plus a little slack for a busy event loop). A cut link
// sends no FIN or RST — only silence tells — so it is noticed 2 to 2.5 intervals after the last
// sign of life.

/** How often to check for silence (pinging every other check). */
export function heartbeatCheckMs(intervalMs: number): number {
  return Math.max(1, intervalMs >> 1)
}

/** Silence longer than this means the link is gone. */
export function heartbeatTimeoutMs(intervalMs: number): number {
  return intervalMs * 2 + 100
}
