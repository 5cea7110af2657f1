// Delivery confirmation by ping: a client's pong answers every frame sent before its ping. Each
// ping carries a sequence number; beside it is kept the session's delivery-log mark at that
// moment, so a pong tells how much of the log the client has surely read (see DeliveryLog).

export class PingMarks {
  #seq = 0
  /** Pings not answered yet, as [seq, delivery-log mark] pairs, oldest first. */
  readonly #marks: number[] = []

  /** The payload of the next ping; `mark` (null: nothing to confirm) is kept until it is answered. */
  next(mark: number | null): number {
    const seq = ++this.#seq
    if (mark !== null) this.#marks.push(seq, mark)
    return seq
  }

  /** A pong with payload `data`: the latest delivery-log mark it confirms, or null. */
  answered(data: Buffer): number | null {
    const marks = this.#marks
    if (marks.length === 0) return null
    const seq = Number(data.toString())
    let mark: number | null = null
    let i = 0
    while (i < marks.length && marks[i]! <= seq) {
      mark = marks[i + 1]!
      i += 2
    }
    marks.splice(0, i)
    return mark
  }
}
