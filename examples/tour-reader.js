// Tour, process 2: look up the published dict, read it, change it.
const { connect } = require('managerd/client')

async function main() {
  const manager = await connect('ws://127.0.0.1:7400', { name: 'reader' })
  const scores = await manager.lookup('scores')
  console.log('bob has', await scores.get('bob'))
  await scores.set('bob', (await scores.get('bob')) + 1)
  for await (const [name, score] of scores) console.log(' ', name, score)
  await scores.set('reader-was-here', `pid ${process.pid}`)
  await manager.close()
}
main().catch((err) => {
  console.error(err)
  process.exit(1)
})
