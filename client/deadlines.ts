// Per-call timeouts without a timer per call: a min-heap of deadlines and one timer armed for
// the earliest. Calls without a timeout cost nothing here.

interface Deadline {
  at: number
  reqId: number
}

export class Deadlines {
  readonly #heap: Deadline[] = []
  #timer: NodeJS.Timeout | undefined
  #armedFor = Infinity
  readonly #onExpire: (reqId: number) => void

  constructor(onExpire: (reqId: number) => void) {
    this.#onExpire = onExpire
  }

  add(reqId: number, timeoutMs: number): void {
    const d = { at: Date.now() + timeoutMs, reqId }
    const heap = this.#heap
    heap.push(d)
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (heap[parent]!.at <= d.at) break
      heap[i] = heap[parent]!
      i = parent
    }
    heap[i] = d
    if (d.at < this.#armedFor) this.#arm(d.at)
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#armedFor = at
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, at - Date.now()))
    this.#timer.unref()
  }

  #fire(): void {
    this.#timer = undefined
    this.#armedFor = Infinity
    const now = Date.now()
    const heap = this.#heap
    // Expired or not, the handler decides whether the call is still pending.
    while (heap.length > 0 && heap[0]!.at <= now) this.#onExpire(this.#pop().reqId)
    if (heap.length > 0) this.#arm(heap[0]!.at)
  }

  #pop(): Deadline {
    const heap = this.#heap
    const top = heap[0]!
    const last = heap.pop()!
    if (heap.length === 0) return top
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let smallest = last.at
      let m = -1
      if (l < heap.length && heap[l]!.at < smallest) {
        smallest = heap[l]!.at
        m = l
      }
      if (r < heap.length && heap[r]!.at < smallest) m = r
      if (m < 0) break
      heap[i] = heap[m]!
      i = m
    }
    heap[i] = last
    return top
  }

  clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    this.#armedFor = Infinity
    this.#heap.length = 0
  }
}
