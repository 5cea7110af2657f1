// The README's tour, run as written: `npm start`'s daemon on 127.0.0.1:7400 with its generated
// key, and the two example processes.
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startCli } from './helpers/cli'
import { runClientProcess } from './helpers/run-client'

/** The `# …` lines the README shows under `command` in its tour: what the command prints. */
function readmePrints(command: string): string[] {
  const readme = readFileSync(join(__dirname, '../README.md'), 'utf8')
  const tour = readme.slice(readme.indexOf('## A five-minute tour'), readme.indexOf('## Using it from code'))
  const block = tour.split(command + '\n')[1]?.split('```')[0]
  if (block === undefined) throw new Error(`the README's tour does not run ${command}`)
  return block.split('\n').filter((l) => l.startsWith('# ')).map((l) => l.slice(2))
}

describe('README tour', () => {
  test('two Node processes share a dict through a published name', async () => {
    const home = mkdtempSync(join(tmpdir(), 'managerd-tour-'))
    const env = { MANAGERD_HOME: home, MANAGERD_AUTHKEY: '', MANAGERD_AUTHKEY_FILE: '' }
    const daemon = await startCli([], env) // the defaults: 127.0.0.1:7400
    try {
      expect(daemon.address).toBe('ws://127.0.0.1:7400')
      const examples = join(__dirname, '../examples')
      const writer = runClientProcess(join(examples, 'tour-writer.js'), env)
      // the reader needs the name published: retry until the writer got there
      let reader = await runClientProcess(join(examples, 'tour-reader.js'), env)
      for (let i = 0; i < 50 && reader.code !== 0; i++) {
        await new Promise((r) => setTimeout(r, 100))
        reader = await runClientProcess(join(examples, 'tour-reader.js'), env)
      }
      expect(reader.code).toBe(0)
      expect(reader.lines).toEqual(['bob has 5', '  alice 3', '  bob 6'])
      expect(reader.lines).toEqual(readmePrints('node examples/tour-reader.js'))
      const w = await writer
      expect(w.code).toBe(0)
      expect(w.lines[0]).toBe("published \"scores\": Map(2) { 'alice' => 3, 'bob' => 5 }")
      expect(w.lines.slice(0, 1)).toEqual(readmePrints('node examples/tour-writer.js'))
      expect(String(w.lines[1])).toMatch(/^the reader left a note: pid \d+$/)
    } finally {
      daemon.child.kill('SIGTERM')
      await daemon.exited
    }
  })
})
