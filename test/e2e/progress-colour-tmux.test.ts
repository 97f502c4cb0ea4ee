import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type GenesysFake, useGenesysAdmin } from '../fakes/genesys.js'
import { BIN, type Sandboxed } from '../helpers/cli.js'

/**
 * What a person sees on a real terminal (tmux): the progress line while a slow listing pages, gone
 * at the end; colour on a terminal and none with NO_COLOR; nothing of the progress through a pipe.
 * One tmux server (its own socket) for the file, killed after it.
 */
const run = promisify(execFile)
const WAIT_MS = 20_000
const ESC = '\x1b'

let fake: GenesysFake
let t: Sandboxed
const socket = `oauthctl-progress-${process.pid}-${Date.now()}`

useGenesysAdmin((f, i) => {
  fake = f
  t = i
})

const tmux = async (...args: string[]) => (await run('tmux', ['-L', socket, ...args], { timeout: 5_000 })).stdout
/** The pane as shown, with its history; `escapes`: with the colour codes tmux holds for it. */
const screen = (escapes = false) => tmux('capture-pane', '-p', '-J', '-S', '-300', ...(escapes ? ['-e'] : []))
const shellQuote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`

/** Type a command line in the pane, with this test's HOME and config dir. */
async function type(line: string, env: Record<string, string> = {}): Promise<void> {
  const vars = { HOME: t.home, OAUTHCTL_CONFIG_DIR: t.configDir, OAUTHCTL_STORAGE: 'file', ...env }
  const prefix = Object.entries(vars).map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ')
  await tmux('send-keys', '-l', `unset NO_COLOR FORCE_COLOR; export ${prefix}; ${line}`)
  await tmux('send-keys', 'Enter')
}

/** Every screen until `done` shows (bounded), polled every 50 ms: what was on screen on the way. */
async function screensUntil(done: RegExp): Promise<string[]> {
  const seen: string[] = []
  const deadline = Date.now() + WAIT_MS
  for (;;) {
    const text = await screen()
    seen.push(text)
    if (done.test(text)) return seen
    if (Date.now() > deadline) throw new Error(`screen never showed ${done}; it shows:\n${text}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The SGR codes (`31`, `1`) set right before `word` on the first line that has it, as `capture-pane -e` shows them. */
function codesBefore(text: string, word: string): string[] {
  const match = new RegExp(`((?:${ESC}\\[[0-9;]*m)+)${word}`).exec(text)
  return match?.[1]?.match(/[0-9;]+/g)?.flatMap((codes) => codes.split(';')) ?? []
}

const oauthctl = `${shellQuote(process.execPath)} ${shellQuote(BIN)}`
const PROGRESS = /listing clients: page (\d+), (\d+) so far/

beforeAll(async () => {
  // A plain shell on a 120×30 terminal, no CI variable, colour left to the terminal.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm-256color', PS1: '$ ' }
  const command = `env -i ${Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ')} bash --norc --noprofile`
  await tmux('new-session', '-d', '-x', '120', '-y', '30', command)
})

afterAll(async () => {
  await tmux('kill-server').catch(() => undefined)
})

beforeEach(async () => {
  await tmux('send-keys', '-l', 'clear')
  await tmux('send-keys', 'Enter')
  await tmux('clear-history')
  // 4 pages of 25 generated clients (plus the fixture's), each page 600 ms: over 2 s in all.
  fake.seed(80)
  fake.options.pageDelayMs = 600
})

describe('the progress line (a person at a terminal)', () => {
  it('shows the pages while clients list --all waits, and is gone when the table is printed', async () => {
    await type(`${oauthctl} clients list --all -p gc; echo "EXIT[$?]"`)
    const screens = await screensUntil(/EXIT\[\d+\]/)
    const last = screens.at(-1) ?? ''
    expect(last).toMatch(/EXIT\[0\]/)
    // Seen while it paged: the page count went up.
    const pages = screens.flatMap((s) => [...s.matchAll(new RegExp(PROGRESS, 'g'))].map((m) => Number(m[1])))
    expect(pages.length).toBeGreaterThan(0)
    expect(Math.max(...pages)).toBeGreaterThanOrEqual(2)
    // At the end: the table, and no trace of the line (it was blanked, not left behind).
    expect(last).toContain('generated-00079')
    expect(last).not.toMatch(/listing clients/)
  })

  it('--quiet shows none', async () => {
    await type(`${oauthctl} clients list --all -q -p gc; echo "EXIT[$?]"`)
    const screens = await screensUntil(/EXIT\[\d+\]/)
    expect(screens.at(-1)).toMatch(/EXIT\[0\]/)
    expect(screens.join('\n')).not.toMatch(/listing clients/)
  })

  it('through a pipe (| cat, 2>&1 | cat) shows none', async () => {
    await type(`${oauthctl} clients list --all -p gc | cat; ${oauthctl} clients list --all -p gc 2>&1 | cat; echo "EXIT[$?]"`)
    const screens = await screensUntil(/EXIT\[\d+\]/)
    const last = screens.at(-1) ?? ''
    expect(last).toMatch(/EXIT\[0\]/)
    expect(last.split('generated-00079')).toHaveLength(3)
    expect(screens.join('\n')).not.toMatch(/listing clients/)
  })
})

describe('colour (a person at a terminal)', () => {
  // A profile that does not exist: exit 2, with an error line on stderr.
  const failing = `${oauthctl} token get -p no-such-profile; echo "EXIT[$?]"`

  it('error: is red on a terminal, and the words stay the same', async () => {
    fake.options.pageDelayMs = 0
    await type(failing)
    await screensUntil(/EXIT\[\d+\]/)
    const coloured = await screen(true)
    expect(codesBefore(coloured, 'error:')).toContain('31')
    expect(await screen()).toMatch(/^error: .*no-such-profile/m)
  })

  it('NO_COLOR=1 and --no-color: not one escape code', async () => {
    fake.options.pageDelayMs = 0
    await type(failing, { NO_COLOR: '1' })
    await type(`${oauthctl} token get -p no-such-profile --no-color; echo "EXIT[$?]"`)
    await screensUntil(/EXIT\[\d+\][\s\S]*EXIT\[\d+\]/)
    const coloured = await screen(true)
    expect(coloured.match(/^error: .*no-such-profile/gm)).toHaveLength(2)
    expect(coloured).not.toContain(ESC)
  })

  it('status words are coloured on a terminal (stdout), plain through a pipe', async () => {
    fake.options.pageDelayMs = 0
    await type(`${oauthctl} status; ${oauthctl} status | cat; echo "EXIT[$?]"`)
    await screensUntil(/EXIT\[\d+\]/)
    const coloured = await screen(true)
    const lines = coloured.split('\n').filter((line) => line.startsWith('gc'))
    expect(lines).toHaveLength(2)
    expect(codesBefore(lines[0] ?? '', 'usable')).toContain('32')
    expect(lines[1]).not.toContain(ESC)
  })
})
