import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { type Command, Config, type Help } from '@oclif/core'
import { beforeAll, describe, expect, it } from 'vitest'
import { EXIT_CODES } from '../../src/lib/errors.js'
import { ENVIRONMENT, exitCodeRows } from '../../src/lib/help-topics.js'
import { BIN, runNode } from '../helpers/cli.js'
import { logicalLines, shellCommands } from '../helpers/shell-words.js'

/**
 * Help as users read it: every command's examples, rendered at 80 columns by the built help class,
 * paste back as the same shell words; `oauthctl --help` lists the environment variables the code
 * reads and the exit codes of errors.ts.
 */
const ROOT = resolve(import.meta.dirname, '../..')
const WIDTH = 80
let config: Config
let help: Help

type HelpWithCommands = Help & { getCommandHelpClass(c: Command.Loadable): { generate(): string } }

beforeAll(async () => {
  config = await Config.load(ROOT)
  const HelpClass = (createRequire(import.meta.url)(join(ROOT, 'dist', 'cli.cjs')) as { HELP: new (c: Config, o: object) => Help }).HELP
  help = new HelpClass(config, { maxWidth: WIDTH, stripAnsi: true })
})

/** The EXAMPLES section of a command's help, as printed. */
function examplesSection(command: Command.Loadable): string {
  const text = (help as HelpWithCommands).getCommandHelpClass(command).generate()
  return /\nEXAMPLES\n([\s\S]*?)(?:\n[A-Z][A-Z ]+\n|$)/.exec(text)?.[1] ?? ''
}

const examplesOf = (command: Command.Loadable) => (typeof command.examples === 'string' ? [command.examples] : (command.examples ?? []))
const shown = (text: string) => text.replaceAll('<%= config.bin %>', config.bin).replace(/^\$ /, '')
const runsOauthctl = (line: string) => shown(line).startsWith(`${config.bin} `)

/** The example commands a command declares, as shown. A string example may be "description\ncommand…", as oclif reads it. */
function declaredCommands(command: Command.Loadable): string[] {
  return examplesOf(command).flatMap((e) => {
    if (typeof e !== 'string') return [shown(e.command)]
    const lines = e.split('\n').filter(Boolean)
    return lines.length >= 2 && !runsOauthctl(lines[0] ?? '') && lines.slice(1).every(runsOauthctl) ? lines.slice(1).map(shown) : lines.map(shown)
  })
}

/** The examples' descriptions, whose printed lines are prose, not commands. */
function declaredDescriptions(command: Command.Loadable): string[] {
  return examplesOf(command).flatMap((e) => {
    if (typeof e !== 'string') return [shown(e.description)]
    const lines = e.split('\n').filter(Boolean)
    return lines.length >= 2 && !runsOauthctl(lines[0] ?? '') && lines.slice(1).every(runsOauthctl) ? [shown(lines[0] ?? '')] : []
  })
}

describe('help examples survive copy and paste at 80 columns', () => {
  it('every example command reads back as the same shell words, no line breaks inside a quoted word, no line over 80 columns but one long word', () => {
    const commands = config.commands.filter((c) => !c.hidden && declaredCommands(c).length > 0)
    expect(commands.length).toBeGreaterThan(25)
    const problems: string[] = []
    for (const command of commands) {
      const section = examplesSection(command)
      const descriptions = declaredDescriptions(command)
      const commandLines = section.split('\n').filter((line) => line.trim() && !descriptions.some((d) => d.includes(line.trim())))
      // Each printed line (its ` \` continuation taken off) must parse on its own: a line broken inside quotes does not.
      for (const line of commandLines) {
        const body = line.trim().replace(/^\$ /, '').replace(/ \\$/, '')
        let words: string[][] = []
        try {
          words = shellCommands(body)
        } catch (err) {
          problems.push(`${command.id}: a line breaks inside quotes: ${line} (${(err as Error).message})`)
          continue
        }
        if (line.length > WIDTH && words.flat().length > 1) problems.push(`${command.id}: a line wider than ${WIDTH} columns could have been broken: ${line}`)
      }
      const printed = logicalLines(commandLines.join('\n')).map((l) => l.trim().replace(/^\$ /, ''))
      for (const declared of declaredCommands(command)) {
        const want = shellCommands(declared)
        if (!printed.some((l) => JSON.stringify(shellCommands(l)) === JSON.stringify(want))) problems.push(`${command.id}: pasted, the example is not the same command: ${declared}`)
      }
    }
    expect(problems).toEqual([])
  })

  it('`oauthctl token get --help` uses that help class: the rich authorization example is one unbroken word', async () => {
    const r = await runNode([BIN, 'token', 'get', '--help'], { env: { ...process.env, COLUMNS: String(WIDTH), NO_COLOR: '1' } })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`      '[{"type":"account_information","actions":["read_balances"]}]'\n`)
  })
})

/**
 * The environment variables the source reads: `env.NAME`, `env['NAME']`, and oclif's `env: 'NAME'`
 * flag option. The proxy variables are read by undici's EnvHttpProxyAgent, which the HTTP layer uses.
 */
function variablesReadBySource(): Set<string> {
  const files = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => /\.c?ts$/.test(f))
  const names = new Set<string>()
  for (const file of files) {
    const text = readFileSync(join(ROOT, 'src', file), 'utf8')
    for (const m of text.matchAll(/\benv\??\.([A-Z][A-Z0-9_]*)\b|\benv\[['"]([A-Z][A-Z0-9_]*)['"]\]|\benv: '([A-Z][A-Z0-9_]*)'/g)) names.add((m[1] ?? m[2] ?? m[3]) as string)
    // The proxy rule reads its variables by name from a list (http/proxy.ts), in both cases.
    if (text.includes('export function proxyRoute(')) for (const name of ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY']) names.add(name)
  }
  return names
}

describe('oauthctl --help: ENVIRONMENT and EXIT CODES', () => {
  let rootHelp: string
  beforeAll(async () => {
    const r = await runNode([BIN, '--help'], { env: { ...process.env, COLUMNS: String(WIDTH), NO_COLOR: '1' } })
    expect(r.code).toBe(0)
    rootHelp = r.stdout
  })

  it('lists exactly the environment variables the code reads', () => {
    const listed = ENVIRONMENT.map((row) => row.name)
    expect(new Set(listed).size).toBe(listed.length)
    expect([...listed].sort()).toEqual([...variablesReadBySource()].sort())
    const section = /\nENVIRONMENT\n([\s\S]*?)\n\n/.exec(rootHelp)?.[1] ?? ''
    expect([...section.matchAll(/^ {2}([A-Z][A-Z0-9_]+) /gm)].map((m) => m[1])).toEqual(listed)
  })

  it('lists exactly the exit codes of the errors.ts table, and 0', () => {
    const codes = [0, ...new Set(Object.values(EXIT_CODES))].sort((a, b) => a - b)
    expect(exitCodeRows().map((row) => Number(row.name))).toEqual(codes)
    const section = /\nEXIT CODES\n([\s\S]*?)(?:\n\n|$)/.exec(rootHelp)?.[1] ?? ''
    expect([...section.matchAll(/^ {2}(\d+) /gm)].map((m) => Number(m[1]))).toEqual(codes)
    // Two kinds share 5: both meanings are on its row.
    expect(exitCodeRows().find((row) => row.name === '5')?.meaning).toMatch(/network.*; a malformed response/)
  })
})
