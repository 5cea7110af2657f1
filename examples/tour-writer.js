// Tour, process 1: create a shared dict, fill it, publish it under a name, and keep running.
const { connect } = require('managerd/client')

async function main() {
  const manager = await connect('ws://127.0.0.1:7400', { name: 'writer' }) // key from ~/.managerd/authkey
  const scores = await manager.dict()
  await scores.set('alice', 3)
  await scores.set('bob', 5)
  await manager.publish('scores', scores)
  console.log('published "scores":', await scores.$getValue())
  // Keep the session (and the dict) alive until the reader has been, or Ctrl-C.
  for (let i = 0; i < 600 && !(await scores.has('reader-was-here')); i++) await new Promise((r) => setTimeout(r, 100))
  console.log('the reader left a note:', await scores.get('reader-was-here'))
  await manager.close()
}
main().catch((err) => {
  console.error(err)
  process.exit(1)
})
