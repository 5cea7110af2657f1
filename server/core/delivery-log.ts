// References counted for replies the client may not have received yet. A link that dies takes
// the frames in transit with it; a reply lost that way had already counted its references for
// the session, which would then hold them until it ends. The client names, when it resumes, the
// requests it got no reply to (hello.lost), and the references of those replies are released.
// Entries are forgotten once the client has provably read past them (it answered a later ping).

import type { ObjectEntry } from './object-entry'

/** Most entries kept per session; beyond it the oldest are taken as delivered (memory bound). */
export const DELIVERY_LOG_MAX = 8192

export class DeliveryLog {
  // Two parallel arrays rather than an object per entry: a #PROXY reply adds two pushes.
  #reqIds: number[] = []
  #entries: ObjectEntry[] = []
  /** Absolute position of the first entry kept. */
  #base = 0

  /** The reply to `reqId`, sent now, counted one reference to `entry`. */
  note(reqId: number, entry: ObjectEntry): void {
    this.#reqIds.push(reqId)
    this.#entries.push(entry)
    if (this.#reqIds.length > DELIVERY_LOG_MAX) this.#forget(DELIVERY_LOG_MAX >> 1)
  }

  get size(): number {
    return this.#reqIds.length
  }

  /** The position after everything noted so far (take it when sending a ping). */
  get mark(): number {
    return this.#base + this.#reqIds.length
  }

  /** The client has read everything noted before `mark` (it answered the ping sent at `mark`). */
  confirm(mark: number): void {
    const n = mark - this.#base
    if (n > 0) this.#forget(n)
  }

  /**
   * A resume: release (with `release`) the references counted by replies to the `lost` requests;
   * the other replies reached the client. The log starts over. Returns how many were released.
   */
  settle(lost: ReadonlySet<number>, release: (entry: ObjectEntry) => boolean): number {
    let released = 0
    if (lost.size > 0) {
      for (let i = 0; i < this.#reqIds.length; i++) {
        if (lost.has(this.#reqIds[i]!) && release(this.#entries[i]!)) released++
      }
    }
    this.#forget(this.#reqIds.length)
    return released
  }

  #forget(n: number): void {
    const k = Math.min(n, this.#reqIds.length)
    this.#reqIds.splice(0, k)
    this.#entries.splice(0, k)
    this.#base += k
  }
}
