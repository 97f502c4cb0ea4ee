import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { configDir } from '../../src/lib/config/paths.cjs'
import { ENV_PROFILE_NAME, profileFromEnv, resolveProfile } from '../../src/lib/config/profiles.js'
import { type Config, ConfigSchema, ProfileSchema } from '../../src/lib/config/schema.js'
import { loadConfig, saveConfig, updateConfig } from '../../src/lib/config/store.js'
import { CliError } from '../../src/lib/errors.js'

let dir: string
let file: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oauthctl-config-test-'))
  file = join(dir, 'config.json')
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const writeConfig = (value: unknown) => writeFile(file, typeof value === 'string' ? value : JSON.stringify(value))

/** A usage error (exit 2) whose message names `...parts`. */
async function expectUsage(promise: Promise<unknown>, ...parts: string[]): Promise<CliError> {
  const err: unknown = await promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`)
    },
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(CliError)
  expect(err).toMatchObject({ kind: 'usage', exitCode: 2 })
  for (const part of parts) expect((err as CliError).message).toContain(part)
  return err as CliError
}

/** What `fn` throws; fails the test when it throws nothing. */
function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected a throw, but the call returned')
}

const profile = (input: Record<string, unknown> = {}) => ProfileSchema.parse(input)
const config = (profiles: Record<string, Record<string, unknown>>, defaultProfile?: string): Config =>
  ConfigSchema.parse({ version: 1, profiles, ...(defaultProfile ? { defaultProfile } : {}) })

describe('loadConfig', () => {
  it('treats a missing file as an empty config', async () => {
    await expect(loadConfig(dir)).resolves.toEqual({ version: 1, profiles: {} })
  })

  it('treats a missing folder as an empty config', async () => {
    await expect(loadConfig(join(dir, 'does', 'not', 'exist'))).resolves.toEqual({ version: 1, profiles: {} })
  })

  it('loads a valid file and applies the defaults', async () => {
    await writeConfig({ version: 1, defaultProfile: 'a', profiles: { a: { issuer: 'https://issuer.example', clientId: 'cli' } } })
    const loaded = await loadConfig(dir)
    expect(loaded).toEqual({
      version: 1,
      defaultProfile: 'a',
      profiles: { a: { provider: 'generic', issuer: 'https://issuer.example', clientId: 'cli', endpoints: {}, scopes: [], params: {} } },
    })
  })

  it('rejects malformed JSON with exit 2, naming the file', async () => {
    await writeConfig('{"version": 1,')
    const err = await expectUsage(loadConfig(dir), file, 'not valid JSON')
    expect(err.code).toBe('config_invalid')
  })

  it('rejects an empty file with exit 2', async () => {
    await writeConfig('')
    await expectUsage(loadConfig(dir), file)
  })

  it('rejects an unknown provider, naming profiles.a.provider', async () => {
    await writeConfig('{"version":1,"profiles":{"a":{"provider":"nope","endpoints":{"token":"https://x/t"}}}}')
    const err = await expectUsage(loadConfig(dir), file, 'profiles.a.provider')
    expect(err.code).toBe('config_invalid')
  })

  it('rejects a bad token endpoint URL, naming profiles.a.endpoints.token', async () => {
    await writeConfig({ version: 1, profiles: { a: { endpoints: { token: 'not a url' } } } })
    await expectUsage(loadConfig(dir), file, 'profiles.a.endpoints.token', 'http(s) URL')
  })

  it('rejects a non-http(s) endpoint URL', async () => {
    await writeConfig({ version: 1, profiles: { a: { endpoints: { token: 'ftp://x/t' } } } })
    await expectUsage(loadConfig(dir), 'profiles.a.endpoints.token')
  })

  it('rejects an unknown top-level key, naming it', async () => {
    await writeConfig({ version: 1, profiles: {}, surprise: true })
    await expectUsage(loadConfig(dir), file, 'surprise')
  })

  it('rejects an unknown key inside a profile', async () => {
    await writeConfig({ version: 1, profiles: { a: { clientID: 'typo' } } })
    await expectUsage(loadConfig(dir), 'clientID')
  })

  it('rejects a version other than 1', async () => {
    await writeConfig({ version: 2, profiles: {} })
    await expectUsage(loadConfig(dir), 'version')
  })

  it('rejects a profile name the schema does not allow', async () => {
    await writeConfig({ version: 1, profiles: { 'bad/name': {} } })
    await expectUsage(loadConfig(dir), file, 'profiles')
  })

  it('rejects a JSON value that is not an object', async () => {
    await writeConfig('[1,2,3]')
    await expectUsage(loadConfig(dir), file)
    await writeConfig('null')
    await expectUsage(loadConfig(dir), file)
  })

  it('rejects a defaultProfile that names a missing profile', async () => {
    await writeConfig({ version: 1, defaultProfile: 'ghost', profiles: { a: {} } })
    const err = await expectUsage(loadConfig(dir), file, 'defaultProfile', 'ghost')
    expect(err.code).toBe('config_invalid')
  })

  // BUG (src/lib/config/store.ts): `config.profiles[config.defaultProfile]` also finds
  // Object.prototype members, so a defaultProfile of "toString"/"constructor" is accepted.
  it('rejects a defaultProfile that only matches an Object.prototype member', async () => {
    await writeConfig({ version: 1, defaultProfile: 'toString', profiles: {} })
    await expectUsage(loadConfig(dir), 'defaultProfile', 'toString')
  })

  it('property: any JSON value either loads or is a usage error (exit 2), never anything else', async () => {
    // Mix free-form JSON with values shaped like a config so the deeper paths get exercised too.
    const nameArb = fc.constantFrom('a', 'b', 'ci', 'x.y', '-bad', '', 'b/c')
    const urlArb = fc.oneof(fc.webUrl(), fc.constantFrom('https://x/t', 'ftp://x', 'not a url', ''), fc.string())
    const profileArb = fc.dictionary(
      fc.constantFrom('provider', 'issuer', 'endpoints', 'clientId', 'scopes', 'params', 'redirectPort', 'storage', 'extra'),
      fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        urlArb,
        fc.constantFrom('generic', 'nope', 'file', 'keychain'),
        fc.dictionary(fc.constantFrom('token', 'authorization', 'bogus'), urlArb),
        fc.integer({ min: -1, max: 70_000 }),
      ),
    )
    const configArb = fc.record(
      {
        version: fc.oneof(fc.constant(1), fc.jsonValue({ maxDepth: 0 })),
        defaultProfile: fc.oneof(nameArb, fc.jsonValue({ maxDepth: 0 })),
        profiles: fc.oneof(fc.dictionary(nameArb, profileArb, { maxKeys: 3 }), fc.jsonValue({ maxDepth: 1 })),
        junk: fc.jsonValue({ maxDepth: 1 }),
      },
      { requiredKeys: [] },
    )
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), configArb), async (value) => {
        await writeFile(file, JSON.stringify(value) ?? 'null')
        let loaded: Config
        try {
          loaded = await loadConfig(dir)
        } catch (err) {
          expect(err).toBeInstanceOf(CliError)
          expect(err).toMatchObject({ kind: 'usage', exitCode: 2 })
          expect((err as CliError).message).toContain(file)
          return
        }
        // What loads must be a schema-valid config.
        expect(ConfigSchema.safeParse(loaded).success).toBe(true)
      }),
      { numRuns: 200 },
    )
  })
})

describe('saveConfig', () => {
  it('writes a 0600 file that loads back equal', async () => {
    const cfg = config({ a: { issuer: 'https://issuer.example', clientId: 'cli', scopes: ['openid'] } }, 'a')
    await saveConfig(dir, cfg)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    await expect(loadConfig(dir)).resolves.toEqual(cfg)
    expect((await readFile(file, 'utf8')).endsWith('}\n')).toBe(true)
  })

  it('creates a missing folder 0700', async () => {
    const nested = join(dir, 'new', 'oauthctl')
    await saveConfig(nested, config({}))
    expect((await stat(nested)).mode & 0o777).toBe(0o700)
    expect((await stat(join(nested, 'config.json'))).mode & 0o777).toBe(0o600)
  })

  it('refuses to write an invalid config and leaves the old file alone', async () => {
    await saveConfig(dir, config({ a: {} }))
    const before = await readFile(file, 'utf8')
    const bad = { version: 1, profiles: { a: { provider: 'nope' } } } as unknown as Config
    await expect(saveConfig(dir, bad)).rejects.toThrow()
    expect(await readFile(file, 'utf8')).toBe(before)
  })
})

describe('updateConfig', () => {
  it('reads, changes and writes under the lock, returning the change result', async () => {
    await saveConfig(dir, config({ a: {} }, 'a'))
    const result = await updateConfig(dir, (cfg) => {
      cfg.profiles.b = profile({ clientId: 'b-client' })
      return Object.keys(cfg.profiles).length
    })
    expect(result).toBe(2)
    const loaded = await loadConfig(dir)
    expect(Object.keys(loaded.profiles).sort()).toEqual(['a', 'b'])
    expect(loaded.profiles.b?.clientId).toBe('b-client')
    expect(loaded.defaultProfile).toBe('a')
    expect((await stat(file)).mode & 0o777).toBe(0o600)
  })

  it('does not lose concurrent changes', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `p${i}`)
    await Promise.all(
      names.map((name) =>
        updateConfig(dir, (cfg) => {
          cfg.profiles[name] = profile({ clientId: name })
        }),
      ),
    )
    const loaded = await loadConfig(dir)
    expect(Object.keys(loaded.profiles).sort()).toEqual([...names].sort())
  })

  it('rejects on a broken file without rewriting it or calling the change', async () => {
    await writeConfig('{ broken')
    let called = false
    await expectUsage(
      updateConfig(dir, () => {
        called = true
      }),
      file,
    )
    expect(called).toBe(false)
    expect(await readFile(file, 'utf8')).toBe('{ broken')
  })
})

describe('profileFromEnv', () => {
  it('is undefined when neither OAUTHCTL_ISSUER nor OAUTHCTL_TOKEN_ENDPOINT is set', () => {
    expect(profileFromEnv({})).toBeUndefined()
    expect(profileFromEnv({ OAUTHCTL_CLIENT_ID: 'c', OAUTHCTL_SCOPE: 'a' })).toBeUndefined()
  })

  it('builds a profile from OAUTHCTL_TOKEN_ENDPOINT, OAUTHCTL_CLIENT_ID and OAUTHCTL_SCOPE', () => {
    const p = profileFromEnv({
      OAUTHCTL_TOKEN_ENDPOINT: 'https://auth.example/oauth/token',
      OAUTHCTL_CLIENT_ID: 'ci-client',
      OAUTHCTL_SCOPE: 'read write,admin ,  ,extra',
    })
    expect(p).toEqual({
      provider: 'generic',
      endpoints: { token: 'https://auth.example/oauth/token' },
      clientId: 'ci-client',
      scopes: ['read', 'write', 'admin', 'extra'],
      params: {},
    })
  })

  it('takes the issuer, provider and auth method', () => {
    expect(
      profileFromEnv({ OAUTHCTL_ISSUER: 'https://issuer.example', OAUTHCTL_PROVIDER: 'genesys', OAUTHCTL_AUTH_METHOD: 'client_secret_post' }),
    ).toMatchObject({ issuer: 'https://issuer.example', provider: 'genesys', authMethod: 'client_secret_post', endpoints: {}, scopes: [] })
  })

  it('names OAUTHCTL_ISSUER when it is not a URL (exit 2)', () => {
    const err = thrown(() => profileFromEnv({ OAUTHCTL_ISSUER: 'issuer.example' }))
    expect(err).toBeInstanceOf(CliError)
    expect(err).toMatchObject({ kind: 'usage', exitCode: 2, code: 'config_invalid' })
    expect((err as CliError).message).toMatch(/^OAUTHCTL_ISSUER: /)
  })

  it('names OAUTHCTL_TOKEN_ENDPOINT and OAUTHCTL_PROVIDER when they are wrong', () => {
    expect(() => profileFromEnv({ OAUTHCTL_TOKEN_ENDPOINT: 'nope' })).toThrow(/^OAUTHCTL_TOKEN_ENDPOINT: /)
    expect(() => profileFromEnv({ OAUTHCTL_ISSUER: 'https://i.example', OAUTHCTL_PROVIDER: 'nope' })).toThrow(/^OAUTHCTL_PROVIDER: /)
  })
})

describe('resolveProfile', () => {
  const two = config({ a: { clientId: 'a-client' }, b: { clientId: 'b-client' } })

  it('returns the profile named by -p', () => {
    const r = resolveProfile(two, 'b', {})
    expect(r).toEqual({ name: 'b', profile: two.profiles.b, source: 'config' })
  })

  it('prefers -p over an environment profile', () => {
    expect(resolveProfile(two, 'a', { OAUTHCTL_ISSUER: 'https://i.example' }).source).toBe('config')
  })

  it('rejects -p of a missing profile: usage, exit 2, unknown_profile', () => {
    const err = thrown(() => resolveProfile(two, 'missing', {}))
    expect(err).toBeInstanceOf(CliError)
    expect(err).toMatchObject({ kind: 'usage', exitCode: 2, code: 'unknown_profile' })
    expect((err as CliError).message).toContain('missing')
  })

  // BUG (src/lib/config/profiles.ts): `config.profiles[requested]` finds Object.prototype members,
  // so `-p constructor` "resolves" to the Object function instead of failing with unknown_profile.
  it('rejects -p of a name that only matches an Object.prototype member', () => {
    const err = thrown(() => resolveProfile(two, 'constructor', {}))
    expect(err).toMatchObject({ kind: 'usage', exitCode: 2, code: 'unknown_profile' })
  })

  it('uses an env-only profile when no -p is given', () => {
    const r = resolveProfile(config({}), undefined, {
      OAUTHCTL_TOKEN_ENDPOINT: 'https://auth.example/token',
      OAUTHCTL_CLIENT_ID: 'env-client',
      OAUTHCTL_SCOPE: 'a,b c',
    })
    expect(r.name).toBe(ENV_PROFILE_NAME)
    expect(r.source).toBe('env')
    expect(r.profile).toMatchObject({ endpoints: { token: 'https://auth.example/token' }, clientId: 'env-client', scopes: ['a', 'b', 'c'] })
  })

  it('lets the environment profile win over the default profile', () => {
    const r = resolveProfile(config({ a: {} }, 'a'), undefined, { OAUTHCTL_ISSUER: 'https://i.example' })
    expect(r.source).toBe('env')
  })

  it('rejects a bad OAUTHCTL_ISSUER with exit 2, naming the variable', () => {
    const err = thrown(() => resolveProfile(config({ a: {} }, 'a'), undefined, { OAUTHCTL_ISSUER: 'not a url' }))
    expect(err).toBeInstanceOf(CliError)
    expect(err).toMatchObject({ kind: 'usage', exitCode: 2 })
    expect((err as CliError).message).toContain('OAUTHCTL_ISSUER')
  })

  it('falls back to the default profile', () => {
    const cfg = config({ a: { clientId: 'a-client' }, b: {} }, 'a')
    expect(resolveProfile(cfg, undefined, {})).toEqual({ name: 'a', profile: cfg.profiles.a, source: 'config' })
  })

  it('exits 3 (auth_required, no_profile) when there are no profiles at all', () => {
    const err = thrown(() => resolveProfile(config({}), undefined, {}))
    expect(err).toBeInstanceOf(CliError)
    expect(err).toMatchObject({ kind: 'auth_required', exitCode: 3, code: 'no_profile' })
  })

  it('exits 2 (no_default_profile) with several profiles and no default, listing them in the hint', () => {
    const err = thrown(() => resolveProfile(two, undefined, {}))
    expect(err).toBeInstanceOf(CliError)
    expect(err).toMatchObject({ kind: 'usage', exitCode: 2, code: 'no_default_profile' })
    expect((err as CliError).hint).toContain('a, b')
  })

})

describe('configDir', () => {
  it('is OAUTHCTL_CONFIG_DIR, else under XDG_CONFIG_HOME, else under HOME (or the home node:os finds without HOME)', () => {
    expect(configDir({ OAUTHCTL_CONFIG_DIR: '/cfg', HOME: '/home/u' })).toBe('/cfg')
    if (process.platform !== 'linux') return
    expect(configDir({ XDG_CONFIG_HOME: '/xdg', HOME: '/home/u' })).toBe('/xdg/oauthctl')
    expect(configDir({ HOME: '/home/u' })).toBe('/home/u/.config/oauthctl')
    expect(configDir({})).toBe(join(homedir(), '.config', 'oauthctl'))
  })
})
