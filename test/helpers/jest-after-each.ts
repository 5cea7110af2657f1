// After every test: stop any harness daemon the test left running (a timed-out test never runs
// its `await using` disposal), so one stuck test cannot keep the jest worker alive until CI's
// time limit.
import { liveDaemons } from './harness'

afterEach(async () => {
  const left = [...liveDaemons]
  liveDaemons.clear()
  await Promise.all(left.map((d) => d.stop('left running by a test')))
})
