// PROTOCOL.md is the contract for other-language clients: it must name every code we use.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { CloseCode, Encoder, ErrorCodes, ExtCode, ReplyKind, SERVER_METHODS, Tag } from '..'

const doc = readFileSync(join(__dirname, '../PROTOCOL.md'), 'utf8')

describe('PROTOCOL.md', () => {
  test.each(Object.entries(ErrorCodes))('documents error %s', (name, [code]) => {
    expect(doc).toContain(`| \`${code}\` | ${name} |`)
  })
  test.each(Object.entries(CloseCode))('documents close code %s', (_name, code) => {
    expect(doc).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'))
  })
  test.each(Object.entries(ExtCode).filter(([, c]) => c >= 0))('documents extension %s', (_name, code) => {
    expect(doc).toContain(`| \`0x${code.toString(16).padStart(2, '0')}\` |`)
  })
  test.each([...Object.values(ReplyKind), ...Object.values(Tag)])('documents %s', (tag) => {
    expect(doc).toContain(tag)
  })
  test.each([...SERVER_METHODS])('documents server method %s', (method) => {
    expect(doc).toContain(`| \`${method}\` |`)
  })
  test('the byte example is what the encoder writes', () => {
    class Ref {
      constructor(readonly typeid: string, readonly id: string) {}
    }
    const bytes = new Encoder({ cls: Ref, toWire: (r: Ref) => [r.typeid, r.id] }).encode(new Ref('dict', 'ab.1'))
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ')
    expect(doc).toContain(`\`${hex}\``)
  })
})
