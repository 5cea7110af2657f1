// Producer/consumer, process 1: publish a JoinableQueue, put jobs in it, and wait until a
// consumer (examples/queue-consumer.js, another process) has done every one.
const { connect } = require('managerd/client')

async function main() {
  const manager = await connect(process.env.MANAGERD_URL, { name: 'producer' }) // default ws://127.0.0.1:7400
  const jobs = await manager.joinableQueue(100)
  await manager.publish('jobs', jobs)
  for (let n = 1; n <= 5; n++) await jobs.put({ n })
  await jobs.put(null) // no more jobs
  console.log('put 5 jobs; waiting for them to be done')
  await jobs.join() // parks until the consumer called taskDone() for every item
  console.log('all jobs done')
  await manager.unpublish('jobs')
  await manager.close()
}
main().catch((err) => {
  console.error(err)
  process.exit(1)
})
