import { describe, expect, it } from 'vitest'
import { colourEnabled, styles } from '../../src/cli/colour.js'
import { type Io, Runtime, wantsProgress } from '../../src/cli/runtime.js'
import { NO_PROGRESS, TerminalProgress } from '../../src/lib/output/progress.js'
import { renderTable } from '../../src/lib/output/table.js'

const ESC = '\x1b'

describe('the colour decision (env × --no-color × terminal)', () => {
  it.each([
    ['a terminal, nothing set', {}, false, true, true],
    ['not a terminal', {}, false, false, false],
    ['--no-color', {}, true, true, false],
    ['NO_COLOR=1', { NO_COLOR: '1' }, false, true, false],
    ['NO_COLOR=0 (any value)', { NO_COLOR: '0' }, false, true, false],
    ['NO_COLOR empty is unset (no-color.org)', { NO_COLOR: '' }, false, true, true],
    ['TERM=dumb', { TERM: 'dumb' }, false, true, false],
    ['FORCE_COLOR=1 into a pipe', { FORCE_COLOR: '1' }, false, false, true],
    ['FORCE_COLOR empty into a pipe (chalk: on)', { FORCE_COLOR: '' }, false, false, true],
    ['FORCE_COLOR=3 on a dumb terminal', { FORCE_COLOR: '3', TERM: 'dumb' }, false, true, true],
    ['FORCE_COLOR=0 on a terminal', { FORCE_COLOR: '0' }, false, true, false],
    ['FORCE_COLOR=false on a terminal', { FORCE_COLOR: 'false' }, false, true, false],
    ['NO_COLOR over FORCE_COLOR', { NO_COLOR: '1', FORCE_COLOR: '1' }, false, true, false],
    ['--no-color over FORCE_COLOR', { FORCE_COLOR: '1' }, true, true, false],
  ] as const)('%s', (_name, env, noColorFlag, isTTY, expected) => {
    expect(colourEnabled({ env, noColorFlag, isTTY })).toBe(expected)
  })

  it('styles colour the words and keep them: without colour the text is the same, byte for byte', () => {
    const on = styles(true)
    const off = styles(false)
    for (const style of ['error', 'warning', 'good', 'attention', 'bad'] as const) {
      expect(on[style]('error:')).toContain(ESC)
      expect(on[style]('error:').replace(/\x1b\[[0-9;]*m/g, '')).toBe('error:')
      expect(off[style]('error:')).toBe('error:')
    }
    expect(on.error('error:')).toContain(`${ESC}[31m`)
    expect(on.warning('warning:')).toContain(`${ESC}[33m`)
    expect(on.good('logged in')).toContain(`${ESC}[32m`)
  })
})

/** A Runtime on recorded streams: which of them is a terminal, and whether stdout is a pipe. */
function runtime(tty: { stdout: boolean; stderr: boolean }, options: { quiet?: boolean; json?: boolean; noColor?: boolean; pipe?: boolean } = {}, env: NodeJS.ProcessEnv = {}) {
  const err: string[] = []
  const io: Io = { stdout: () => undefined, stderr: (t) => void err.push(t), tty, stdoutIsPipe: options.pipe ?? false }
  const rt = new Runtime({ json: options.json ?? false, verbose: false, noColor: options.noColor ?? false, quiet: options.quiet ?? false, insecure: false }, { OAUTHCTL_CONFIG_DIR: '/nonexistent', ...env }, io)
  return { rt, err }
}

describe('the Runtime: colour per stream, and which progress', () => {
  it('warning: is yellow on a terminal stderr, plain with NO_COLOR or when stderr is not a terminal; the text stays', () => {
    const coloured = runtime({ stdout: false, stderr: true })
    coloured.rt.warn('the file store is used')
    expect(coloured.err.join('')).toContain(`${ESC}[33m`)
    expect(coloured.err.join('').replace(/\x1b\[[0-9;]*m/g, '')).toBe('warning: the file store is used\n')
    for (const plain of [runtime({ stdout: true, stderr: false }), runtime({ stdout: true, stderr: true }, {}, { NO_COLOR: '1' }), runtime({ stdout: true, stderr: true }, { noColor: true })]) {
      plain.rt.warn('the file store is used')
      expect(plain.err.join('')).toBe('warning: the file store is used\n')
    }
  })

  it('stdout and stderr are decided apart', () => {
    const { rt } = runtime({ stdout: true, stderr: false })
    expect(rt.style.stdout.good('x')).toContain(ESC)
    expect(rt.style.stderr.error('x')).toBe('x')
  })

  it.each([
    ['stderr a terminal', { stdout: true, stderr: true }, {}, true],
    ['stdout into a file, stderr a terminal', { stdout: false, stderr: true }, {}, true],
    ['stdout into a pipe (a pager may share the terminal)', { stdout: false, stderr: true }, { pipe: true }, false],
    ['stderr not a terminal', { stdout: true, stderr: false }, {}, false],
    ['--quiet', { stdout: true, stderr: true }, { quiet: true }, false],
    ['--json', { stdout: true, stderr: true }, { json: true }, false],
  ] as const)('progress: %s', (_name, tty, options, expected) => {
    const { rt } = runtime(tty, options)
    expect(wantsProgress({ tty, stdoutIsPipe: 'pipe' in options }, { quiet: 'quiet' in options, json: 'json' in options })).toBe(expected)
    expect(rt.progress instanceof TerminalProgress).toBe(expected)
    if (!expected) expect(rt.progress).toBe(NO_PROGRESS)
  })
})

describe('renderTable styles', () => {
  it('colours a cell outside its padding, so that columns still line up', () => {
    const rows = [
      { name: 'a', state: 'logged in', note: 'x' },
      { name: 'bb', state: 'not logged in', note: 'y' },
    ]
    const columns = [
      ['name', 'NAME'],
      ['state', 'STATE'],
      ['note', 'NOTE'],
    ] as const
    const plain = renderTable(rows, columns)
    const styled = renderTable(rows, columns, (key, text) => (key === 'state' ? `<${text}>`.replace('<', `${ESC}[32m`).replace('>', `${ESC}[39m`) : text))
    expect(styled).not.toBe(plain)
    expect(styled.replace(/\x1b\[[0-9;]*m/g, '')).toBe(plain)
  })
})
