// The harness's own leak check: disposing it must fail when an object outlives the test, or every
// test that relies on it would pass with a leak.
import { startHarness } from '../harness'

describe('startHarness disposal', () => {
  test('fails naming what is left when an object outlives the test, and still stops the daemon', async () => {
    const h = await startHarness()
    const m = await h.client()
    const d = await m.dict()
    await m.publish('left-behind', d) // the name holds it after every session closed
    await d.$release()
    await expect(h[Symbol.asyncDispose]()).rejects.toThrow(/^leak: 1 objects alive, baseline 0: dict:/)
    await h.daemon.stopped
  })

  test('passes once sessions are closed and names unpublished', async () => {
    const h = await startHarness()
    const m = await h.client()
    await m.dict() // held by the session only: closing it frees the dict
    const l = await m.list()
    await m.publish('gone', l)
    await m.unpublish('gone')
    await expect(h[Symbol.asyncDispose]()).resolves.toBeUndefined()
    await h.daemon.stopped
  })
})
