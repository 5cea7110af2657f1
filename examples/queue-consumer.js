// Producer/consumer, process 2: take jobs from the published queue until the end marker.
const { connect } = require('managerd/client')

async function main() {
  const manager = await connect(process.env.MANAGERD_URL, { name: 'consumer' })
  const jobs = await lookupWhenPublished(manager, 'jobs')
  for (;;) {
    const job = await jobs.get() // parks on the daemon while the queue is empty
    if (job === null) break
    console.log(`job ${job.n}: ${job.n} squared is ${job.n * job.n}`)
    await jobs.taskDone()
  }
  await jobs.taskDone() // the end marker counts as a task too
  await manager.close()
}

/** Start in either order: retry until the producer has published the queue. */
async function lookupWhenPublished(manager, name) {
  for (;;) {
    try {
      return await manager.lookup(name)
    } catch (err) {
      if (err.remoteCode !== 'MANAGERD_ERR_UNKNOWN_NAME') throw err
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}
main().catch((err) => {
  console.error(err)
  process.exit(1)
})
