import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, readFile, symlink } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { type Command, Parser } from '@oclif/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Sandbox } from '../../src/lib/sandbox/server.js'
import { DEFAULT_SANDBOX_PORT } from '../../src/lib/sandbox/try-lines.js'
import { CHROMIUM_PATH, skipBrowserTests } from '../helpers/browser.js'
import { BIN, isolated, type Sandboxed } from '../helpers/cli.js'
import { useSandbox } from '../helpers/lifecycle.js'
import { logicalLines, shellCommands } from '../helpers/shell-words.js'

/**
 * Every `sh` example in the README, as a reader would paste it. Each block is marked by the HTML
 * comment before it: `<!-- example: run -->` blocks run as printed, in order, in one isolated HOME
 * and as if in one terminal (variables a block exports stay for the next),
 * with `oauthctl` on the PATH, against a sandbox this test starts (its port in place of the
 * documented default port; secrets in the file store, as no keychain is assumed); a login opens the page in
 * headless Chromium through BROWSER, which signs in like a user. Every command line of every block
 * (run or not) goes through the CLI's own parser, so a documented command or flag always exists;
 * `npm run X`, `npx vitest run FILE` and `bash FILE` must name a script or file of the repository.
 */
const ROOT = resolve(import.meta.dirname, '../..')
const README = readFileSync(join(ROOT, 'README.md'), 'utf8')
// The sandbox's real default, so that the tour works as printed after a plain `oauthctl sandbox`.
const DOCUMENTED_PORT = String(DEFAULT_SANDBOX_PORT)
const BLOCK_TIMEOUT_MS = 90_000

interface Example {
  kind: 'run' | 'parse' | undefined
  line: number
  script: string
}

const examples: Example[] = [...README.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => {
  const before = README.slice(0, m.index).trimEnd().split('\n').at(-1) ?? ''
  const kind = /^<!-- example: (run|parse) -->$/.exec(before)?.[1] as Example['kind']
  return { kind, line: README.slice(0, m.index).split('\n').length, script: m[1] ?? '' }
})

type CommandClass = typeof Command & { baseFlags?: Command.Class['flags'] }
const COMMANDS = (createRequire(import.meta.url)(join(ROOT, 'dist', 'cli.cjs')) as { COMMANDS: Record<string, CommandClass> }).COMMANDS
const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts

/** Parse `oauthctl WORDS…` as the CLI does (command id, then its flags and arguments); throws what the CLI would refuse. */
async function dryParse(words: string[]): Promise<string> {
  let id = ''
  for (let n = Math.min(3, words.length); n > 0 && !id; n--) if (COMMANDS[words.slice(0, n).join(':')]) id = words.slice(0, n).join(':')
  if (!id) throw new Error(`unknown command: ${words.join(' ')}`)
  const Cmd = COMMANDS[id] as CommandClass
  await Parser.parse(words.slice(id.split(':').length), { flags: { ...Cmd.baseFlags, ...Cmd.flags }, args: Cmd.args, strict: Cmd.strict })
  return id
}

/** What a command line of the README refers to exists: an oauthctl command and its flags, an npm script, a file. */
async function checkCommand(words: string[]): Promise<void> {
  const [program = '', ...rest] = words
  if (program === 'oauthctl' || program === './bin/run.js') await dryParse(rest)
  else if (program === 'npm' && rest[0] === 'run') expect(scripts, words.join(' ')).toHaveProperty([rest[1] ?? ''])
  else if (program === 'npm' && rest[0] === 'test') expect(scripts).toHaveProperty(['test'])
  else if (program === 'npx' && rest[0] === 'vitest') expect(existsSync(join(ROOT, rest.at(-1) ?? '')), words.join(' ')).toBe(true)
  else if (program === 'bash') expect(existsSync(join(ROOT, rest[0] ?? '')), words.join(' ')).toBe(true)
}

describe('README examples', () => {
  it('has sh examples, each marked run or parse', () => {
    expect(examples.length).toBeGreaterThan(10)
    expect(examples.filter((e) => !e.kind).map((e) => `README.md:${e.line}`)).toEqual([])
    expect(examples.filter((e) => e.kind === 'run').length).toBeGreaterThanOrEqual(4)
  })

  it('links and names only files of the repository, and headings that exist', () => {
    const slug = (heading: string) => heading.toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-')
    const anchors = new Set([...README.matchAll(/^#{1,4} (.+)$/gm)].map((m) => slug(m[1] ?? '')))
    const links = [...README.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? '').filter((l) => !/^https?:/.test(l))
    expect(links.filter((l) => l.startsWith('#') && !anchors.has(l.slice(1)))).toEqual([])
    expect(links.filter((l) => !l.startsWith('#') && !existsSync(join(ROOT, l)))).toEqual([])
    // A document the README names (SPEC.md was one) is one a reader has.
    const named = [...new Set([...README.matchAll(/[\w./-]+\.md\b/g)].map((m) => m[0]))]
    expect(named.filter((f) => !existsSync(join(ROOT, f)))).toEqual([])
  })

  it("points every loopback URL at the sandbox's default port", () => {
    const ports = [...README.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => m[1])
    expect(ports.length).toBeGreaterThan(0)
    expect(ports.filter((port) => port !== DOCUMENTED_PORT)).toEqual([])
  })

  it('finds the commands of a shell line as the shell would (pipes, $(…), redirections, comments, assignments)', () => {
    expect(shellCommands(`TOKEN=$(oauthctl token get --scope "a b") # note`)).toEqual([['oauthctl', 'token', 'get', '--scope', 'a b']])
    expect(shellCommands(`printf %s "$S" | oauthctl profiles add x --client-secret-stdin 2>/dev/null && oauthctl token get >> "$GITHUB_ENV"`)).toEqual([
      ['printf', '%s', '$S'],
      ['oauthctl', 'profiles', 'add', 'x', '--client-secret-stdin'],
      ['oauthctl', 'token', 'get'],
    ])
    expect(shellCommands(`curl -H "$(oauthctl token get --output header)" https://x/ <<< 'a|b'`)).toEqual([
      ['oauthctl', 'token', 'get', '--output', 'header'],
      ['curl', '-H', '$(oauthctl token get --output header)', 'https://x/'],
    ])
    expect(logicalLines('a \\\n   b\nc')).toEqual(['a b', 'c'])
  })

  it('a flag the CLI does not have fails the dry parse', async () => {
    await expect(dryParse(['token', 'get', '--no-such-flag'])).rejects.toThrow(/no-such-flag/)
    await expect(dryParse(['tokne', 'get'])).rejects.toThrow('unknown command: tokne get')
    await expect(dryParse(['token', 'get', '--output', 'header'])).resolves.toBe('token:get')
  })

  describe.each(examples.map((e) => [`README.md:${e.line}`, e] as const))('%s', (_where, example) => {
    it.each(logicalLines(example.script).filter((l) => shellCommands(l).length > 0))('parses: %s', async (line) => {
      for (const words of shellCommands(line)) await checkCommand(words)
    })
  })

  describe.sequential('run as printed against the sandbox', () => {
    let sandbox: Sandbox
    let t: Sandboxed
    useSandbox((s) => (sandbox = s))
    // One HOME for all the blocks: the tour goes on from one to the next.
    beforeAll(async () => {
      t = await isolated()
    })
    afterAll(() => t?.cleanup())

    const needsBrowser = (e: Example) => logicalLines(e.script).some((l) => shellCommands(l).some((w) => w[0] === 'oauthctl' && w[1] === 'login'))
    for (const example of examples.filter((e) => e.kind === 'run')) {
      it.skipIf(needsBrowser(example) && skipBrowserTests)(`README.md:${example.line}`, async () => {
        const result = await runBlock(t, example.script.replaceAll(`127.0.0.1:${DOCUMENTED_PORT}`, `127.0.0.1:${sandbox.port}`))
        expect(result.code, `README.md:${example.line} failed:\n${result.stderr}\n--- stdout:\n${result.stdout}\n--- browser:\n${result.browser}`).toBe(0)
      }, BLOCK_TIMEOUT_MS + 30_000)
    }
  })
})

/** Run one example block with bash (-e, pipefail: the first failing command fails it), `oauthctl` on the PATH. */
async function runBlock(t: Sandboxed, script: string): Promise<{ code: number | null; stdout: string; stderr: string; browser: string }> {
  const bin = join(t.home, 'bin')
  await mkdir(bin, { recursive: true })
  await symlink(BIN, join(bin, 'oauthctl')).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'EEXIST') throw err })
  const browserLog = join(t.home, 'browser.log')
  const env = { ...t.env, PATH: `${bin}:${process.env.PATH}`, BROWSER: `${process.execPath} ${join(ROOT, 'test', 'helpers', 'readme-browser.mjs')}`, README_BROWSER_LOG: browserLog, CHROMIUM_PATH }
  // One terminal for all the blocks: what a block exports, the next one has (saved on exit, read back).
  const state = join(t.home, '.readme-shell')
  const prologue = `set -euo pipefail\n[ -f '${state}' ] && . '${state}'\ntrap 'export -p > "${state}"' EXIT\ntrap 'echo "README example failed: $BASH_COMMAND" >&2' ERR\ncd "$HOME"\n`
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done, reject) => {
    // Its own process group, so that a timeout ends every process the block started.
    const child = spawn('bash', ['-c', prologue + script], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d))
    child.stderr.on('data', (d: Buffer) => (stderr += d))
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL')
      } catch {}
      stderr += `\n(killed after ${BLOCK_TIMEOUT_MS} ms)`
    }, BLOCK_TIMEOUT_MS)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      done({ code, stdout, stderr })
    })
  })
  return { ...result, browser: await readFile(browserLog, 'utf8').catch(() => '') }
}
