import { stat } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Sandbox } from '../../src/lib/sandbox/server.js'
import type { Sandboxed } from '../helpers/cli.js'
import { useIsolated, useSandbox } from '../helpers/lifecycle.js'
import { keychainAvailable } from '../helpers/keychain.js'
import { credentialEntries, editConfig, readConfig } from '../helpers/config-files.js'

let sandbox: Sandbox
let t: Sandboxed
const hasKeychain = await keychainAvailable()

useSandbox((s) => (sandbox = s))
useIsolated((i) => (t = i))

const addConfidential = (name = 'ci', extra: string[] = [], secret = 'demo-confidential-secret') =>
  t.run(['profiles', 'add', name, '--issuer', sandbox.issuer, '--client-id', 'demo-confidential', '--client-secret-stdin', ...extra], { stdin: secret })

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

describe('profiles add', () => {
  it('discovers the endpoints and caches them with the profile', async () => {
    const added = await addConfidential()
    expect(added.code).toBe(0)
    expect(added.stdout).toContain('added profile ci (default)')
    expect(sandbox.requestCount('/.well-known/openid-configuration')).toBe(1)
    const config = await readConfig(t.configDir)
    expect(config.defaultProfile).toBe('ci')
    expect(config.profiles.ci.discovery.metadata.token_endpoint).toBe(`${sandbox.issuer}/token`)
    expect(JSON.stringify(config)).not.toContain('demo-confidential-secret')
    expect((await stat(join(t.configDir, 'config.json'))).mode & 0o777).toBe(0o600)
    expect((await stat(t.configDir)).mode & 0o777).toBe(0o700)

    const shown = await t.run(['profiles', 'show', 'ci', '--json'])
    expect(shown.code).toBe(0)
    expect(JSON.parse(shown.stdout)).toMatchObject({ name: 'ci', hasClientSecret: true, endpoints: { token: `${sandbox.issuer}/token` } })
    expect(shown.stdout).not.toContain('demo-confidential-secret')
    const listed = await t.run(['profiles', 'list', '--json'])
    expect(JSON.parse(listed.stdout)).toEqual({ profiles: [expect.objectContaining({ name: 'ci', default: true, clientId: 'demo-confidential' })] })
    expect(sandbox.requestCount('/.well-known/openid-configuration')).toBe(1)
  })

  it('rejects a discovery document whose issuer differs from the one asked for (exit 4)', async () => {
    const other = sandbox.issuer.replace('127.0.0.1', 'localhost')
    const added = await t.run(['profiles', 'add', 'mixup', '--issuer', other, '--client-id', 'x'])
    expect(added.code).toBe(4)
    expect(added.stderr).toMatch(/^error: discovery .*issuer/m)
    await expect(stat(join(t.configDir, 'config.json'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('refuses plain http to a non-loopback issuer unless --insecure (exit 2)', async () => {
    const added = await t.run(['profiles', 'add', 'plain', '--issuer', 'http://idp.example.test', '--client-id', 'x'])
    expect(added.code).toBe(2)
    expect(added.stderr).toContain('refusing plain http')
    expect(sandbox.requestCount('/.well-known/openid-configuration')).toBe(0)
  })

  it('names the field of a broken config file (exit 2)', async () => {
    await addConfidential()
    const path = await editConfig(t.configDir, (config) => {
      config.profiles.ci.provider = 'nope'
    })
    const result = await t.run(['token', 'get'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`${path}: profiles.ci.provider`)
  })
})

describe('token get', () => {
  it('gets a token with client_secret_basic, then serves it from the cache with no request', async () => {
    expect((await addConfidential()).code).toBe(0)
    sandbox.resetCounts()
    const first = await t.run(['token', 'get'])
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/)
    expect(sandbox.requestCount('/token')).toBe(1)
    const second = await t.run(['token', 'get'])
    expect(second.code).toBe(0)
    expect(second.stdout).toBe(first.stdout)
    expect(sandbox.requestCount('/token')).toBe(1)
    expect(sandbox.requestCount('/.well-known/openid-configuration')).toBe(0)
    const forced = await t.run(['token', 'get', '--force'])
    expect(forced.stdout).not.toBe(first.stdout)
    expect(sandbox.requestCount('/token')).toBe(2)
    const credentials = join(t.configDir, 'credentials.json')
    expect((await stat(credentials)).mode & 0o777).toBe(0o600)
  })

  it('caches per scope set: another scope is another token', async () => {
    await addConfidential()
    sandbox.resetCounts()
    const read = await t.run(['token', 'get', '--scope', 'api:read'])
    const both = await t.run(['token', 'get', '--scope', 'api:read', '--scope', 'api:write'])
    const bothAgain = await t.run(['token', 'get', '--scope', 'api:write', '--scope', 'api:read'])
    expect(read.stdout).not.toBe(both.stdout)
    expect(bothAgain.stdout).toBe(both.stdout)
    expect(sandbox.requestCount('/token')).toBe(2)
  })

  it('gets a token with client_secret_post', async () => {
    const added = await t.run(
      ['profiles', 'add', 'post', '--issuer', sandbox.issuer, '--client-id', 'demo-post', '--auth-method', 'client_secret_post', '--client-secret-stdin'],
      { stdin: 'demo-post-secret\n' },
    )
    expect(added.code).toBe(0)
    const result = await t.run(['token', 'get', '-p', 'post', '--output', 'json'])
    expect(result.code).toBe(0)
    const body = JSON.parse(result.stdout)
    expect(body).toMatchObject({ tokenType: 'Bearer', response: { expires_in: 3600 } })
    expect(body.expiresAtEpoch).toBeGreaterThan(Date.now() / 1000 + 3500)
  })

  it('renders header and env outputs', async () => {
    await addConfidential()
    const raw = (await t.run(['token', 'get'])).stdout.trim()
    expect((await t.run(['token', 'get', '--output', 'header'])).stdout).toBe(`Authorization: Bearer ${raw}\n`)
    expect((await t.run(['token', 'get', '--output', 'env'])).stdout).toContain(`OAUTHCTL_ACCESS_TOKEN=${raw}\n`)
  })

  it('shows the server error for a wrong secret (exit 4) and stores nothing', async () => {
    await addConfidential('ci', [], 'wrong-secret')
    const result = await t.run(['token', 'get'])
    expect(result.code).toBe(4)
    expect(result.stderr).toMatch(/^error: invalid_client/m)
    expect(result.stderr).not.toContain('wrong-secret')
    expect(Object.keys(await credentialEntries(t.configDir))).toEqual(['profile/ci/client-secret'])
  })

  it('exits 3 when the profile has no usable credentials', async () => {
    await t.run(['profiles', 'add', 'pub', '--issuer', sandbox.issuer, '--client-id', 'demo-public', '--auth-method', 'none'])
    sandbox.resetCounts()
    const result = await t.run(['token', 'get'])
    expect(result.code).toBe(3)
    expect(result.stderr).toContain('no usable credentials')
    expect(result.stderr).toContain('hint: ')
    expect(sandbox.requestCount('/token')).toBe(0)
  })

  it('exits 5 within the timeout when the server is unreachable', async () => {
    const port = await freePort()
    await t.run(['profiles', 'add', 'gone', '--token-endpoint', `http://127.0.0.1:${port}/token`, '--client-id', 'x', '--client-secret-stdin'], { stdin: 's3cret-value' })
    const result = await t.run(['token', 'get'], { env: { OAUTHCTL_TIMEOUT: '2' } })
    expect(result.code).toBe(5)
    expect(result.stderr).toMatch(/^error: cannot reach .*connection refused/m)
    expect(result.ms).toBeLessThan(10_000)
  })

  it('works from environment variables alone, with --storage none', async () => {
    const env = { OAUTHCTL_ISSUER: sandbox.issuer, OAUTHCTL_CLIENT_ID: 'demo-confidential', OAUTHCTL_CLIENT_SECRET: 'demo-confidential-secret', OAUTHCTL_SCOPE: 'api:read' }
    const first = await t.run(['token', 'get', '--storage', 'none'], { env })
    expect(first.code).toBe(0)
    const second = await t.run(['token', 'get', '--storage', 'none'], { env })
    expect(second.stdout).not.toBe(first.stdout)
    expect(sandbox.requestCount('/token')).toBe(2)
  })

  it('never shows the secret or the token in the --verbose trace', async () => {
    await addConfidential()
    const result = await t.run(['token', 'get', '-v'])
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('> POST')
    expect(result.stderr).toContain('authorization: Basic [REDACTED]')
    expect(result.stderr).not.toContain('demo-confidential-secret')
    expect(result.stderr).not.toContain(result.stdout.trim())
    expect(result.stderr).not.toContain(Buffer.from('demo-confidential:demo-confidential-secret').toString('base64'))
  })

  it('reports the token in status', async () => {
    await addConfidential()
    await t.run(['token', 'get'])
    const result = await t.run(['status', '--json'])
    expect(result.code).toBe(0)
    const [ci] = JSON.parse(result.stdout).profiles
    expect(ci).toMatchObject({ name: 'ci', default: true, storage: 'file', loggedIn: true, hasClientSecret: true })
    expect(ci.tokens[0]).toMatchObject({ subject: 'demo-confidential', grant: 'client_credentials' })
    expect(result.stdout).not.toMatch(/eyJ/)
  })

  it('inspects the stored token without a request', async () => {
    await addConfidential()
    await t.run(['token', 'get'])
    sandbox.resetCounts()
    const result = await t.run(['token', 'inspect', '--json'])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ format: 'jwt', claims: { sub: 'demo-confidential', iss: sandbox.issuer }, expired: false })
    expect(sandbox.requestCount('/token')).toBe(0)
    const opaque = await t.run(['token', 'inspect', '-'], { stdin: 'not-a-jwt-at-all' })
    expect(opaque.stdout).toContain('opaque token')
  })
})

describe('secret storage selection', () => {
  it('exits 6 with a hint when the keychain is unavailable and nothing else was chosen', async () => {
    const result = await t.run(['profiles', 'add', 'k', '--issuer', sandbox.issuer, '--client-id', 'demo-confidential', '--client-secret-stdin'], {
      stdin: 'demo-confidential-secret',
      env: { OAUTHCTL_STORAGE: undefined, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' },
    })
    expect(result.code).toBe(6)
    expect(result.stderr).toMatch(/^error: keychain unavailable/m)
    expect(result.stderr).toMatch(/^hint: .*--storage file.*OAUTHCTL_STORAGE/m)
    await expect(stat(join(t.configDir, 'config.json'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it.runIf(hasKeychain)('caches the token in the OS keychain', async () => {
    const env = { OAUTHCTL_STORAGE: 'keychain' }
    const name = `kc${process.pid}`
    try {
      const added = await t.run(['profiles', 'add', name, '--issuer', sandbox.issuer, '--client-id', 'demo-confidential', '--client-secret-stdin'], {
        stdin: 'demo-confidential-secret',
        env,
      })
      expect(added.code).toBe(0)
      sandbox.resetCounts()
      const first = await t.run(['token', 'get'], { env })
      const second = await t.run(['token', 'get'], { env })
      expect(first.code).toBe(0)
      expect(second.stdout).toBe(first.stdout)
      expect(sandbox.requestCount('/token')).toBe(1)
      await expect(stat(join(t.configDir, 'credentials.json'))).rejects.toMatchObject({ code: 'ENOENT' })
    } finally {
      const removed = await t.run(['profiles', 'remove', name], { env })
      expect(removed.stdout).toContain('2 stored items deleted')
    }
  })
})

describe('help and errors', () => {
  it('--help needs no config, network or keychain', async () => {
    const result = await t.run(['token', 'get', '--help'], { env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' } })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('--min-ttl')
  })

  it('never echoes the value after an unknown flag', async () => {
    const result = await t.run(['token', 'get', '--client-secret=hunter2-value', '--password', 'hunter3-value'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^error: unknown flag --client-secret/m)
    expect(result.stderr).not.toContain('hunter2-value')
    expect(result.stderr).not.toContain('hunter3-value')
  })

  it('does not echo an argument that only looks like a flag, such as an opaque token starting with "-"', async () => {
    const token = '-Xq_3vTz9LkP0aB7cD2eF5gH8iJ1kL4mN6oP9qR2sT'
    const result = await t.run(['token', 'inspect', token])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`error: unknown flag (an argument of ${token.length} characters starting with "-")`)
    expect(result.stderr).toContain('goes after --')
    expect(result.stderr).not.toContain(token.slice(1, 12))
  })

  it('prints the JSON error document on stderr with --json', async () => {
    const result = await t.run(['token', 'get', '--json'])
    expect(result.code).toBe(3)
    expect(result.stdout).toBe('')
    expect(JSON.parse(result.stderr)).toEqual({ error: expect.objectContaining({ code: 'no_profile', status: 3 }) })
  })
})
