// The README's queue and lock examples run as written: separate processes on a real daemon.
import { join } from 'node:path'
import { startHarness } from './helpers/harness'
import { spawnClient, type ClientProcess } from './helpers/client-process'

const example = (name: string): string => join(__dirname, '../examples', name)

async function output(p: ClientProcess): Promise<string[]> {
  const { code, stderr } = await p.exited
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
  const lines: string[] = []
  for (;;) {
    const line = await p.nextLine(1).catch(() => undefined)
    if (line === undefined) return lines
    lines.push(String(line))
  }
}

test('producer and consumer in two processes (consumer started first)', async () => {
  await using h = await startHarness()
  await using consumer = spawnClient(example('queue-consumer.js'), h.address)
  await using producer = spawnClient(example('queue-producer.js'), h.address)
  expect(await output(consumer)).toEqual([1, 2, 3, 4, 5].map((n) => `job ${n}: ${n} squared is ${n * n}`))
  expect(await output(producer)).toEqual(['put 5 jobs; waiting for them to be done', 'all jobs done'])
})

test('the lock example loses no withdrawal', async () => {
  await using h = await startHarness()
  await using run = spawnClient(example('lock.js'), h.address)
  expect(await output(run)).toEqual(['balance: 0'])
})
