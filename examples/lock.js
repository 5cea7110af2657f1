// A lock: three tellers (three sessions, as three processes would be) each withdraw 10 from a
// shared balance ten times. A read and a write are two calls; withLock makes the pair atomic,
// so no withdrawal is lost. The balance's own lock guards it: while a teller holds it, the
// others' get() and set() wait their turn on the daemon.
const { connect } = require('managerd/client')

async function main() {
  const url = process.env.MANAGERD_URL // default ws://127.0.0.1:7400
  const bank = await connect(url, { name: 'bank' })
  const balance = await bank.value('i', 300) // a C int, guarded by a Lock
  await bank.publish('balance', balance)

  const tellers = await Promise.all([1, 2, 3].map((i) => connect(url, { name: `teller-${i}` })))
  await Promise.all(
    tellers.map(async (teller) => {
      const account = await teller.lookup('balance')
      const lock = await account.getLock()
      for (let i = 0; i < 10; i++) {
        await lock.withLock(async () => {
          const current = await account.get()
          await account.set(current - 10) // nobody changed it in between
        })
      }
      await teller.close() // a session that ends holding a lock would release it (and log it)
    }),
  )
  console.log('balance:', await balance.get())
  await bank.unpublish('balance')
  await bank.close()
}
main().catch((err) => {
  console.error(err)
  process.exit(1)
})
