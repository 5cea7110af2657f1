// Counters every connection of a daemon adds to (read by the metrics and the status page).

export interface TransportStats {
  bytesIn: number
  bytesOut: number
  framesIn: number
  framesOut: number
  authFailures: number
  handshakeTimeouts: number
  handshakes: number
}
