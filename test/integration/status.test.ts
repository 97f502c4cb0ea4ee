import { describe, expect, it } from 'vitest'
import type { Sandbox } from '../../src/lib/sandbox/server.js'
import type { Sandboxed } from '../helpers/cli.js'
import { useIsolated, useSandbox } from '../helpers/lifecycle.js'
import { seedSession, seedToken } from '../helpers/stored-token.js'
import { refusedPort } from '../reliability/fault-server.js'
import { issueRefreshToken } from '../helpers/sandbox-grants.js'

let sandbox: Sandbox
let t: Sandboxed

useSandbox((s) => (sandbox = s))
useIsolated((i) => (t = i))

const now = () => Math.floor(Date.now() / 1000)

/** A client-credentials profile on the sandbox (discovered: it has an introspection endpoint). */
const addConfidential = async (name: string, extra: string[] = [], secret = 'demo-confidential-secret') => {
  const added = await t.run(['profiles', 'add', name, '--issuer', sandbox.issuer, '--client-id', 'demo-confidential', '--client-secret-stdin', ...extra], { stdin: secret })
  expect(added.code, added.stderr).toBe(0)
}

/** A public client (a login's profile): usable only through what a login stored. */
const addPublic = async (name: string, extra: string[] = []) => {
  const added = await t.run(['profiles', 'add', name, '--issuer', sandbox.issuer, '--client-id', 'demo-public', '--auth-method', 'none', '--scope', 'openid', '--scope', 'offline_access', ...extra])
  expect(added.code, added.stderr).toBe(0)
}

const statusJson = async (args: string[], env?: Record<string, string | undefined>) => {
  const result = await t.run(['status', '--json', ...args], { env })
  return { ...result, doc: JSON.parse(result.stdout) as { profiles: any[] } }
}

describe('status -p NAME: one profile, and an exit code that says whether it can produce a token now', () => {
  it('shows that profile only; a client-credentials profile with a secret is usable (exit 0)', async () => {
    await addConfidential('ci')
    await addPublic('web', ['--default'])
    const human = await t.run(['status', '-p', 'ci'])
    expect(human.code, human.stderr).toBe(0)
    expect(human.stdout).toMatch(/^ci\s+usable \(client credentials\)/m)
    expect(human.stdout).not.toMatch(/^web/m)
    const { code, doc } = await statusJson(['-p', 'ci'])
    expect(code).toBe(0)
    expect(doc.profiles).toHaveLength(1)
    expect(doc.profiles[0]).toMatchObject({ name: 'ci', state: 'usable', usableBy: 'client_credentials', storage: 'file', storageSource: 'env' })
    expect(JSON.stringify(doc)).not.toContain('demo-confidential-secret')
  })

  it('a profile that needs a login: the status on stdout, then exit 3 with the login hint', async () => {
    await addPublic('web')
    const human = await t.run(['status', '-p', 'web'])
    expect(human.code).toBe(3)
    expect(human.stdout).toMatch(/^web \*\s+needs login/m) // the first profile added is the default
    expect(human.stderr).toBe('error: profile web needs a login: no valid token, no refresh token and no client credentials\nhint: run oauthctl login -p web, or store a client secret: printf %s "$SECRET" | oauthctl profiles add web --client-secret-stdin\n')
    const { code, doc, stderr } = await statusJson(['-p', 'web'])
    expect(code).toBe(3)
    expect(doc.profiles).toEqual([expect.objectContaining({ name: 'web', state: 'needs_login', tokens: [] })])
    expect(doc.profiles[0].usableBy).toBeUndefined()
    expect(JSON.parse(stderr)).toMatchObject({ error: { code: 'not_logged_in', status: 3 } })
  })

  it('a cached token is usable while it has a minute left; an expired one only with a refresh token', async () => {
    await addPublic('web')
    await seedSession(t.configDir, 'web', { access_token: 'fresh-access', expires_at: now() + 3600 }, ['openid', 'offline_access'])
    expect((await statusJson(['-p', 'web'])).doc.profiles[0]).toMatchObject({ state: 'usable', usableBy: 'cached_token' })
    await seedSession(t.configDir, 'web', { access_token: 'almost-expired', expires_at: now() + 20 }, ['openid', 'offline_access'])
    expect((await statusJson(['-p', 'web'])).code).toBe(3) // token get would not print it: under --min-ttl's 60 s
    await seedSession(t.configDir, 'web', { access_token: 'expired-access', refresh_token: 'a-refresh-token', expires_at: now() - 10 }, ['openid', 'offline_access'])
    const refreshable = await statusJson(['-p', 'web'])
    expect(refreshable.code).toBe(0)
    expect(refreshable.doc.profiles[0]).toMatchObject({ state: 'usable', usableBy: 'refresh_token' })
    expect(sandbox.requestCount('/token')).toBe(0) // no --check: nothing asked of the server
  })

  it('OAUTHCTL_PROFILE picks the profile as -p does', async () => {
    await addConfidential('ci')
    await addPublic('web', ['--default'])
    const { code, doc } = await statusJson([], { OAUTHCTL_PROFILE: 'web' })
    expect(code).toBe(3)
    expect(doc.profiles.map((p) => p.name)).toEqual(['web'])
  })

  it('an unknown profile is a usage error naming it (exit 2), nothing on stdout', async () => {
    await addConfidential('ci')
    const result = await t.run(['status', '-p', 'nope'])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/^error: no profile named nope$/m)
  })

  it('storage the profile cannot use (keychain, no Secret Service) is exit 6 with the storage hint', async () => {
    await addPublic('kc', ['--storage', 'keychain'])
    const env = { OAUTHCTL_STORAGE: undefined, DBUS_SESSION_BUS_ADDRESS: undefined }
    const { code, doc, stderr } = await statusJson(['-p', 'kc'], env)
    expect(code).toBe(6)
    expect(doc.profiles[0]).toMatchObject({ name: 'kc', state: 'storage_unavailable', storage: 'keychain', storageSource: 'profile' })
    expect(JSON.parse(stderr).error).toMatchObject({ status: 6, hint: expect.stringContaining('--storage file') })
  })
})

describe('status without -p: every profile, judged by the one commands use by default', () => {
  it('exit 0 when the default profile is usable, even if another needs a login', async () => {
    await addConfidential('ci')
    await addPublic('web')
    const { code, doc } = await statusJson([])
    expect(code).toBe(0)
    expect(doc.profiles.map((p) => [p.name, p.default, p.state])).toEqual([
      ['ci', true, 'usable'],
      ['web', false, 'needs_login'],
    ])
  })

  it("the default profile's code when it is not usable", async () => {
    await addConfidential('ci')
    await addPublic('web', ['--default'])
    const human = await t.run(['status'])
    expect(human.code).toBe(3)
    expect(human.stdout).toMatch(/^ci\s+usable/m)
    expect(human.stdout).toMatch(/^web \*\s+needs login/m)
  })

  it('no profile at all: exit 3 saying how to add one', async () => {
    const result = await statusJson([])
    expect(result.code).toBe(3)
    expect(result.doc).toEqual({ profiles: [] })
    expect(JSON.parse(result.stderr).error).toMatchObject({ code: 'no_profile', status: 3 })
  })
})

describe('status --check asks the server', () => {
  it('introspection: an active token is exit 0, reported with the HTTP status', async () => {
    await addConfidential('ci')
    expect((await t.run(['token', 'get', '-p', 'ci'])).code).toBe(0)
    sandbox.resetCounts()
    const { code, doc, stderr } = await statusJson(['-p', 'ci', '--check'])
    expect(code, stderr).toBe(0)
    expect(doc.profiles[0].check).toEqual({ method: 'introspection', result: 'ok', active: true, detail: 'the server says the token is active' })
    expect(sandbox.requestCount('/token/introspection')).toBe(1)
    expect(sandbox.requestCount('/token')).toBe(0)
    const human = await t.run(['status', '-p', 'ci', '--check'])
    expect(human.stdout).toMatch(/^ci \*\s+usable \(cached token\).*\s+active \(introspection\)$/m)
  })

  it('introspection: a token the server does not know is inactive: exit 3', async () => {
    await addConfidential('ci')
    await seedToken(t.configDir, 'ci', { access_token: 'forged-or-revoked', expires_at: now() + 3600, grant: 'client_credentials' })
    const { code, doc, stderr } = await statusJson(['-p', 'ci', '--check'])
    expect(code).toBe(3)
    expect(doc.profiles[0].check).toEqual({ method: 'introspection', result: 'rejected', active: false, detail: 'the server says the token is not active' })
    expect(JSON.parse(stderr).error).toMatchObject({ code: 'token_inactive', status: 3, message: 'profile ci: the server says the token is not active' })
  })

  it("userinfo for a public client's OpenID session (introspection needs client authentication): 200 is exit 0, 401 is exit 3", async () => {
    await addPublic('web')
    const refresh = await issueRefreshToken(sandbox, { clientId: 'demo-public', scope: 'openid offline_access' })
    await seedSession(t.configDir, 'web', { access_token: 'expired', refresh_token: refresh }, ['openid', 'offline_access'])
    const ok = await statusJson(['-p', 'web', '--check'])
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.doc.profiles[0].check).toEqual({ method: 'userinfo', result: 'ok', detail: 'the server answered for subject demo' })
    expect(sandbox.requestCount('/me')).toBe(1)

    await seedSession(t.configDir, 'web', { access_token: 'not-a-token-the-server-issued', expires_at: now() + 3600 }, ['openid', 'offline_access'])
    const refused = await statusJson(['-p', 'web', '--check'])
    expect(refused.code).toBe(3)
    expect(refused.doc.profiles[0].check).toMatchObject({ method: 'userinfo', result: 'rejected', httpStatus: 401 })
    expect(refused.doc.profiles[0].check.detail).toMatch(/^invalid_token/)
  })

  it('a client-credentials profile with no introspection endpoint: a token request (stored), a wrong secret exit 3', async () => {
    const endpoint = ['--token-endpoint', `${sandbox.issuer}/token`]
    const added = await t.run(['profiles', 'add', 'cc', ...endpoint, '--client-id', 'demo-confidential', '--client-secret-stdin'], { stdin: 'demo-confidential-secret' })
    expect(added.code, added.stderr).toBe(0)
    const ok = await statusJson(['-p', 'cc', '--check'])
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.doc.profiles[0].check).toEqual({ method: 'token_request', result: 'ok', detail: 'the server issued a token (client_credentials)' })
    expect(ok.doc.profiles[0].tokens).toHaveLength(1) // the token it issued is kept, as token get would keep it
    expect(sandbox.requestCount('/token')).toBe(1)

    const wrong = await t.run(['profiles', 'add', 'cc', '--client-secret-stdin'], { stdin: 'not-the-secret' })
    expect(wrong.code, wrong.stderr).toBe(0)
    const refused = await statusJson(['-p', 'cc', '--check'])
    expect(refused.code).toBe(3)
    expect(refused.doc.profiles[0].check).toMatchObject({ method: 'token_request', result: 'rejected', httpStatus: 401 })
    expect(refused.stdout).not.toContain('not-the-secret')
    expect(refused.stderr).not.toContain('not-the-secret')
  })

  it('a server that cannot be reached is exit 5', async () => {
    const port = await refusedPort()
    const added = await t.run(['profiles', 'add', 'gone', '--token-endpoint', `http://127.0.0.1:${port}/token`, '--client-id', 'x', '--client-secret-stdin'], { stdin: 's3cret-value' })
    expect(added.code, added.stderr).toBe(0)
    expect((await statusJson(['-p', 'gone'])).code).toBe(0) // usable as far as oauthctl can tell without asking
    const { code, doc, stderr } = await statusJson(['-p', 'gone', '--check'], { OAUTHCTL_TIMEOUT: '2' })
    expect(code).toBe(5)
    expect(doc.profiles[0].check).toMatchObject({ method: 'token_request', result: 'failed', detail: expect.stringMatching(/connection refused/) })
    expect(JSON.parse(stderr).error).toMatchObject({ status: 5 })
  })
})
