import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { type CommandShape, type CompletionSources, complete, configuredProfiles, regionsFor, renderCompletion } from '../../src/lib/use-cases/completion.js'
import { GENESYS_REGIONS } from '../../src/lib/vendors/genesys/preset.js'

const flag = (name: string, more: Partial<CommandShape['flags'][string]> = {}) => ({ [name]: { name, type: 'option' as const, ...more } })
const GLOBAL = { ...flag('profile', { char: 'p', summary: 'Profile to use.' }), ...flag('storage', { options: ['keychain', 'file', 'none'] }), ...flag('json', { type: 'boolean' }) }

const COMMANDS: CommandShape[] = [
  { id: 'token:get', summary: 'Print a token.', args: {}, flags: { ...GLOBAL, ...flag('output', { char: 'o', options: ['raw', 'json', 'header'] }), ...flag('scope', { multiple: true }), ...flag('force', { type: 'boolean' }), ...flag('secret', { hidden: true }) } },
  { id: 'token:inspect', summary: 'Decode a token.', args: { token: { name: 'token' } }, flags: GLOBAL },
  { id: 'profiles:add', summary: 'Add a profile.', args: { name: { name: 'name' } }, flags: { ...GLOBAL, ...flag('provider', { options: ['generic', 'genesys', 'nutanix'] }), ...flag('region'), ...flag('save-profile') } },
  { id: 'profiles:use', summary: 'Make a profile the default.', args: { name: { name: 'name' } }, flags: GLOBAL },
  { id: 'login', summary: 'Log in.\nMore text.', args: {}, flags: { ...GLOBAL, ...flag('flow', { options: ['code', 'device'] }) } },
  { id: 'exec', summary: 'Run a command.', strict: false, args: {}, flags: GLOBAL },
  { id: '__complete', hidden: true, args: {}, flags: {} },
]
const sources = (profiles: string[] = ['work', 'ci']): CompletionSources => ({
  commands: COMMANDS,
  topics: [{ name: 'token', description: 'Tokens.' }, { name: 'profiles', description: 'Profiles.' }],
  profiles: async () => profiles,
})
const values = async (words: string[], from = sources()) => (await complete(words, from)).candidates.map((c) => c.value)

describe('complete()', () => {
  it('offers the top-level commands and topics, hidden ones left out, with their first summary line', async () => {
    const { candidates } = await complete([''], sources())
    expect(candidates).toEqual([
      { value: 'exec', description: 'Run a command.' },
      { value: 'login', description: 'Log in.' },
      { value: 'profiles', description: 'Profiles.' },
      { value: 'token', description: 'Tokens.' },
    ])
    expect(await values(['to'])).toEqual(['token'])
  })

  it('offers the subcommands of a topic', async () => {
    expect(await values(['token', ''])).toEqual(['get', 'inspect'])
    expect(await values(['token', 'i'])).toEqual(['inspect'])
  })

  it('offers profile names for -p, --profile, --profile=, -p glued, and profile arguments', async () => {
    expect(await values(['token', 'get', '-p', ''])).toEqual(['work', 'ci'])
    expect(await values(['token', 'get', '--profile', 'w'])).toEqual(['work'])
    expect(await values(['token', 'get', '--profile=c'])).toEqual(['--profile=ci'])
    expect(await values(['profiles', 'use', ''])).toEqual(['work', 'ci'])
    expect(await values(['profiles', 'add', 'x', '--save-profile', ''])).toEqual(['work', 'ci'])
    // One argument only: after it, nothing.
    expect(await complete(['profiles', 'use', 'work', ''], sources())).toEqual({ candidates: [], shellDefault: false })
    // A profile's name is not a topic: profiles add NAME is free text.
    expect(await complete(['profiles', 'add', ''], sources())).toEqual({ candidates: [], shellDefault: true })
  })

  it('offers enum values of --output, --storage, --flow, --provider', async () => {
    expect(await values(['token', 'get', '--output', ''])).toEqual(['raw', 'json', 'header'])
    expect(await values(['token', 'get', '-o', 'h'])).toEqual(['header'])
    expect(await values(['token', 'get', '--output=j'])).toEqual(['--output=json'])
    expect(await values(['login', '--storage', ''])).toEqual(['keychain', 'file', 'none'])
    expect(await values(['login', '--flow', 'd'])).toEqual(['device'])
    expect(await values(['profiles', 'add', 'g', '--provider', 'ge'])).toEqual(['generic', 'genesys'])
  })

  it('offers the regions of the provider on the line, or of every provider', async () => {
    expect(await values(['profiles', 'add', 'g', '--provider', 'genesys', '--region', ''])).toEqual([...GENESYS_REGIONS])
    expect(await values(['profiles', 'add', 'g', '--region', 'mypurecloud.i'])).toEqual(['mypurecloud.ie'])
    expect(await values(['profiles', 'add', 'n', '--provider=nutanix', '--region', ''])).toEqual([])
  })

  it('offers the flags of the command being typed, not hidden ones, not ones already given (unless repeatable)', async () => {
    expect(await values(['token', 'get', '--'])).toEqual(['--profile', '--storage', '--json', '--output', '--scope', '--force', '--help'])
    expect(await values(['token', 'get', '--json', '--scope', 'a', '-o', 'raw', '--'])).toEqual(['--profile', '--storage', '--scope', '--force', '--help'])
    expect(await values(['token', 'get', '--f'])).toEqual(['--force'])
    expect(await values(['-'])).toEqual(['--help', '--version'])
  })

  it('reads a flag value as a value, not as a command word or a flag', async () => {
    // `-p token` is a profile named token; `get` is then an unknown top-level word.
    expect(await values(['login', '-p', 'token', '--f'])).toEqual(['--flow'])
    expect(await values(['token', 'get', '-p', '--output', ''])).toEqual([])
  })

  it('leaves the shell to complete files, tokens and commands it knows nothing about', async () => {
    expect(await complete(['token', 'inspect', ''], sources())).toEqual({ candidates: [], shellDefault: true })
    expect(await complete(['token', 'get', '--scope', ''], sources())).toEqual({ candidates: [], shellDefault: true })
    expect(await complete(['exec', '--', 'cu'], sources())).toEqual({ candidates: [], shellDefault: true })
    expect(await complete(['exec', 'cu'], sources())).toEqual({ candidates: [], shellDefault: true })
    expect(await complete(['login', ''], sources())).toEqual({ candidates: [], shellDefault: false })
    expect(await complete(['token', 'get', '--force='], sources())).toEqual({ candidates: [], shellDefault: false })
    expect(await complete(['nosuch', '--h'], sources())).toEqual({ candidates: [{ value: '--help', description: 'Show help.' }], shellDefault: false })
  })

  it('asks for the profile names only when a profile is what is being typed', async () => {
    let asked = 0
    const counting = { ...sources(), profiles: async () => (asked++, ['work']) }
    await complete(['token', 'get', '--output', ''], counting)
    await complete(['token', 'get', '--'], counting)
    expect(asked).toBe(0)
    await complete(['token', 'get', '-p', ''], counting)
    expect(asked).toBe(1)
  })
})

describe('regionsFor()', () => {
  it('is the Genesys Cloud regions for genesys and for no provider, none for another provider', () => {
    expect(regionsFor('genesys')).toEqual(GENESYS_REGIONS)
    expect(regionsFor(undefined)).toEqual(GENESYS_REGIONS)
    expect(regionsFor('nutanix')).toEqual([])
  })
})

describe('renderCompletion()', () => {
  it('prints one candidate a line, description after a tab, then the directive', () => {
    expect(renderCompletion({ candidates: [{ value: 'get', description: 'Print a token.' }, { value: 'x' }], shellDefault: false })).toBe('get\tPrint a token.\nx\n:done\n')
    expect(renderCompletion({ candidates: [], shellDefault: true })).toBe(':default\n')
  })

  it('keeps a candidate on one line whatever its text holds', () => {
    expect(renderCompletion({ candidates: [{ value: 'a\nb', description: 'c\td\u001b[31m' }], shellDefault: false })).toBe('a b\tc d [31m\n:done\n')
  })
})

describe('configuredProfiles()', () => {
  it('reads the profile names from config.json, and nothing from a missing or broken one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oauthctl-completion-'))
    try {
      expect(await configuredProfiles(dir)).toEqual([])
      await writeFile(join(dir, 'config.json'), JSON.stringify({ profiles: { work: { clientId: 'a', issuer: 'https://idp.example.com' }, ci: { clientId: 'b', issuer: 'https://idp.example.com' } } }), { mode: 0o600 })
      expect(await configuredProfiles(dir)).toEqual(['ci', 'work'])
      await writeFile(join(dir, 'config.json'), '{"profiles": {"bad name\\n": {}}}')
      expect(await configuredProfiles(dir)).toEqual([])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
