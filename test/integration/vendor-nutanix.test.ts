import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { generateToken } from '../../src/lib/vendors/nutanix/admin.js'
import type { AdminContext } from '../../src/lib/admin/types.js'
import { withProfileToken } from '../../src/lib/use-cases/admin.js'
import { type ProfileInput, ProfileSchema } from '../../src/lib/config/schema.js'
import { login } from '../../src/lib/use-cases/login.js'
import { secretKeys } from '../../src/lib/storage/keys.js'
import { MemoryStore } from '../../src/lib/storage/memory.js'
import { getToken } from '../../src/lib/use-cases/get-token.js'
import { revoke } from '../../src/lib/tokens/revoke.js'
import { nutanix } from '../../src/lib/vendors/nutanix/index.js'
import { endpoint, fixtureBody, fixtureResponse } from '../fakes/fixtures.js'
import { ADMIN, BASE_PATH, BROWSER_ONLY_PATHS, fixture, type NutanixFake, startNutanixFake } from '../fakes/nutanix.js'
import { type Harness, harness, loginOptions } from '../fakes/vendor-context.js'
import { isolated } from '../helpers/cli.js'

let fake: NutanixFake
let h: Harness
let profile: ProfileInput

const DEV = fixtureBody<{ client_id: string; client_secret: string }>(fixture, 'oauth_client_client_id_get', 200)
const PASSWORD_ENV = { OAUTHCTL_ADMIN_PASSWORD: ADMIN.password }
const fixtureRequest = (id: string) => endpoint(fixture, id).request
const basicHeader = fixtureRequest('oauth_client_post').headers?.Authorization
const at = (path: string) => fake.requests.filter((r) => r.path === `${BASE_PATH}${path}`)
/** The fixture's login asks for these scopes on the client's registered loopback URI (port 8765). */
const LOGIN = { flow: 'code' as const, scopes: ['vm.read', 'cluster.read'], port: 8765 }

beforeEach(async () => {
  fake = await startNutanixFake()
  h = await harness()
  profile = { provider: 'nutanix', host: fake.origin, username: ADMIN.username, clientId: DEV.client_id }
})
afterEach(async () => {
  vi.unstubAllEnvs()
  // No test may have reached Prism's browser sign-in.
  expect(fake.requests.filter((r) => BROWSER_ONLY_PATHS.includes(r.path))).toEqual([])
  await h.close()
  await fake.close()
})

describe('Nutanix login: POST /oauth/authorize as the Prism user (confirm=yes), then the code at /oauth/token', () => {
  it('sends the fixture authorize form with Basic, and exchanges with client_secret_post', async () => {
    const summary = await login(loginOptions(LOGIN), h.loginContext(profile, { secret: DEV.client_secret, env: PASSWORD_ENV }))
    const [authorize] = at('/oauth/authorize')
    expect(authorize?.headers.authorization).toBe(basicHeader)
    expect(authorize?.contentType).toMatch(/^application\/x-www-form-urlencoded/)
    const wanted = fixtureRequest('oauth_authorize_post').body?.form as Record<string, string>
    expect(Object.keys(authorize?.form ?? {}).sort()).toEqual(Object.keys(wanted).sort())
    expect(authorize?.form).toEqual({ ...wanted, state: expect.any(String) })

    const [exchange] = at('/oauth/token')
    expect(exchange?.headers.authorization).toBeUndefined()
    expect(exchange?.contentType).toMatch(/^application\/x-www-form-urlencoded/)
    const wantedExchange = fixtureRequest('oauth_token_post.authorization_code').body?.form as Record<string, string>
    expect(exchange?.form).toEqual({ ...wantedExchange, code: expect.stringMatching(/^nx_ac_/), state: authorize?.form?.state })
    expect(summary).toMatchObject({ grant: 'authorization_code', scopes: ['vm.read', 'cluster.read'], refreshable: true })
  })

  it('without a port, sends no redirect_uri either way', async () => {
    await login(loginOptions({ flow: 'code', scopes: [] }), h.loginContext(profile, { secret: DEV.client_secret, env: PASSWORD_ENV }))
    expect(at('/oauth/authorize')[0]?.form?.redirect_uri).toBeUndefined()
    expect(at('/oauth/token')[0]?.form?.redirect_uri).toBeUndefined()
  })

  it('a declined authorization (OauthStatus with ACCESS_DENIED) is the server refusing (exit 4)', async () => {
    fake.inject(fixtureResponse(fixture, 'oauth_authorize_post.denied'))
    await expect(login(loginOptions(LOGIN), h.loginContext(profile, { secret: DEV.client_secret, env: PASSWORD_ENV }))).rejects.toMatchObject({
      exitCode: 4,
      message: 'ACCESS_DENIED: user declined access',
    })
    expect(at('/oauth/token')).toHaveLength(0)
  })

  it('an OauthStatus that carries no code (the SDK-typed answer) is exit 5 with a way out', async () => {
    fake.options.authorize = 'status'
    await expect(login(loginOptions(LOGIN), h.loginContext(profile, { secret: DEV.client_secret, env: PASSWORD_ENV }))).rejects.toMatchObject({
      exitCode: 5,
      code: 'no_code',
      hint: expect.stringContaining('oauthctl token generate'),
    })
  })

  it('no Prism password is exit 3 before any request; a wrong one is the non-JSON 401 with a hint (exit 4)', async () => {
    await expect(login(loginOptions(LOGIN), h.loginContext(profile, { secret: DEV.client_secret }))).rejects.toMatchObject({ exitCode: 3, code: 'no_admin_password' })
    expect(fake.requests).toHaveLength(0)
    await expect(login(loginOptions(LOGIN), h.loginContext(profile, { secret: DEV.client_secret, env: { OAUTHCTL_ADMIN_PASSWORD: 'wrong-password-value' } }))).rejects.toMatchObject({
      exitCode: 4,
      message: 'Prism Central authorization endpoint refused the request (status 401, text/html)',
      hint: expect.stringMatching(/^Prism Central refused the credentials/),
    })
  })

  it('the token endpoint v3 envelope (401 INVALID_CLIENT) is shown plainly (exit 4)', async () => {
    await expect(login(loginOptions(LOGIN), h.loginContext(profile, { secret: 'wrong-secret-value', env: PASSWORD_ENV }))).rejects.toMatchObject({
      exitCode: 4,
      message: 'INVALID_CLIENT: client authentication failed',
    })
  })

  it('refreshes with the client in the form: the fixture refresh body', async () => {
    const ctx = h.loginContext(profile, { secret: DEV.client_secret, env: PASSWORD_ENV })
    await login(loginOptions({ flow: 'code', scopes: [] }), ctx)
    fake.clearLog()
    const { token } = await getToken({ grant: 'refresh_token', scopes: [], minTtl: 60, force: true, params: {} }, ctx)
    const wanted = fixtureRequest('oauth_token_post.refresh_token').body?.form as Record<string, string>
    expect(at('/oauth/token')[0]?.form).toEqual({ ...wanted, refresh_token: expect.stringMatching(/^nx_rt_/) })
    expect(token.refresh_token).toMatch(/^nx_rt_/)
  })
})

describe('Nutanix revoke: POST /oauth/revoke_token with the token in the query', () => {
  it('sends token and token_type_hint as query parameters with Basic and no body; the OauthStatus is accepted', async () => {
    const ctx = h.loginContext(profile, { secret: DEV.client_secret, env: PASSWORD_ENV })
    const { token } = await getToken({ grant: 'auto', scopes: [], minTtl: 60, force: false, params: {} }, await loggedIn(ctx))
    // Until OAuthSession passes `secrets`, a revoke hook finds the Prism password in the environment only.
    vi.stubEnv('OAUTHCTL_ADMIN_PASSWORD', ADMIN.password)
    await revoke(h.session(profile, DEV.client_secret), token.access_token, 'access_token')
    const [request] = at('/oauth/revoke_token')
    expect(request).toMatchObject({ method: 'POST', query: { token: token.access_token, token_type_hint: 'access_token' }, body: '' })
    expect(Object.keys(request?.query ?? {})).toEqual(Object.keys(fixtureRequest('oauth_revoke_token_post').query ?? {}))
    expect(request?.headers.authorization).toBe(basicHeader)
    expect(fake.tokens.has(token.access_token)).toBe(false)
  })

  it('reads the Prism password from secret storage when the session passes it', async () => {
    const store = new MemoryStore()
    await store.set(secretKeys.adminPassword('nx'), ADMIN.password)
    const session = h.session(profile, DEV.client_secret)
    await nutanix.revoke?.({ ...session.adapterContext, secrets: { profileName: 'nx', store, env: {} } }, 'nx_at_unknown', 'refresh_token')
    expect(at('/oauth/revoke_token')[0]?.query).toEqual({ token: 'nx_at_unknown', token_type_hint: 'refresh_token' })
  })
})

describe('Nutanix generate_token', () => {
  it('POSTs the fixture body with Basic, and stores the token under the cache key of those scopes', async () => {
    const store = new MemoryStore()
    const ctx: AdminContext = withProfileToken({
      profileName: 'nx',
      profile: ProfileSchema.parse(profile),
      http: h.http,
      store: async () => store,
      env: PASSWORD_ENV,
      configDir: '/nonexistent', // --storage none takes no lock
      now: () => Math.floor(Date.now() / 1000),
      sleep: async () => undefined,
      warn: () => undefined,
    })
    const sent = fixtureRequest('oauth_generate_token_post').body?.json as { scopes: string[]; client_name: string; client_description: string; expires_in: number }
    const generated = await generateToken(ctx, { scopes: sent.scopes, name: sent.client_name, description: sent.client_description, expiresIn: sent.expires_in })
    const [request] = at('/oauth/generate_token')
    expect(request?.contentType).toBe('application/json')
    expect(request?.headers.authorization).toBe(basicHeader)
    expect(request?.json).toEqual(sent)
    expect(fake.clients.get(generated.clientId)?.client_secret).toBe(generated.clientSecret)
    expect(generated.token).toMatchObject({ scope: 'vm.read cluster.read', grant: 'generate_token', requested: { scopes: sent.scopes }, refresh_token: expect.stringMatching(/^nx_rt_/) })

    // `token get` with those scopes finds it, in either order, without a request.
    fake.clearLog()
    const cached = await getToken({ grant: 'auto', scopes: ['cluster.read', 'vm.read'], minTtl: 60, force: false, params: {} }, { ...h.tokenContext(profile), profileName: 'nx', store })
    expect(cached).toMatchObject({ source: 'cache', token: { access_token: generated.token.access_token } })
    expect(fake.requests).toHaveLength(0)

    await expect(generateToken({ ...ctx, profile: ProfileSchema.parse({ ...profile, provider: 'genesys' }) }, { scopes: ['x'], name: 'n', description: '' })).rejects.toMatchObject({
      exitCode: 2,
      code: 'not_supported',
    })
    await expect(generateToken(ctx, { scopes: ['x'], name: 'n'.repeat(65), description: '' })).rejects.toMatchObject({ exitCode: 2, code: 'too_long' })
    expect(fake.requests).toHaveLength(0)
  })
})

/** The context after a login, for tests that need a stored token. */
async function loggedIn<T extends Parameters<typeof login>[1]>(ctx: T): Promise<T> {
  await login(loginOptions({ flow: 'code', scopes: [] }), ctx)
  return ctx
}

describe('Nutanix end to end (bin/run.js)', () => {
  it('token generate --json: the new client once, and the token expiry as ISO date and epoch seconds (issue 18 §1)', async () => {
    const t = await isolated()
    try {
      const added = await t.run(['profiles', 'add', 'nx', '--provider', 'nutanix', '--host', fake.origin, '--username', ADMIN.username, '--password-stdin'], { stdin: ADMIN.password })
      expect(added.code, added.stderr).toBe(0)
      const generated = await t.run(['token', 'generate', '--scope', 'vm.read', '--expires-in', '86400', '--json'])
      expect(generated.code, generated.stderr).toBe(0)
      const doc = JSON.parse(generated.stdout)
      expect(doc).toMatchObject({ profile: 'nx', scopes: ['vm.read'], clientId: expect.any(String), clientSecret: expect.any(String) })
      expect(fake.clients.get(doc.clientId)?.client_secret).toBe(doc.clientSecret)
      expect(Date.parse(doc.expiresAt) / 1000).toBe(doc.expiresAtEpoch)
    } finally {
      await t.cleanup()
    }
  })

  it('profiles add → token generate → token get → inspect → login → refresh → revoke → clients list, never touching the browser endpoints', async () => {
    const t = await isolated()
    try {
      const add = (args: string[], stdin: string) => t.run(['profiles', 'add', 'nx', ...args], { stdin })
      const added = await add(['--provider', 'nutanix', '--host', fake.origin, '--username', ADMIN.username, '--client-id', DEV.client_id, '--client-secret-stdin'], DEV.client_secret)
      expect(added.code, added.stderr).toBe(0)
      expect((await add(['--password-stdin'], ADMIN.password)).code).toBe(0)

      const generated = await t.run(['token', 'generate', '--scope', 'vm.read', '--scope', 'cluster.read', '--name', 'ci-pipeline', '--description', 'Token for CI jobs', '--expires-in', '86400'])
      expect(generated.code, generated.stderr).toBe(0)
      const [, clientId, clientSecret] = /^client id: (\S+)\nclient secret: (\S+)\n$/.exec(generated.stdout) ?? []
      expect(fake.clients.get(clientId as string)?.client_secret).toBe(clientSecret)
      expect(generated.stderr).toContain('oauthctl token get --scope vm.read --scope cluster.read')

      const token = await t.run(['token', 'get', '--scope', 'vm.read', '--scope', 'cluster.read'])
      expect(token.code, token.stderr).toBe(0)
      expect(fake.tokens.get(token.stdout.trim())).toBe(clientId)
      expect(at('/oauth/token')).toHaveLength(0)

      const inspected = await t.run(['token', 'inspect', '-', '--json'], { stdin: token.stdout.trim() })
      expect(inspected.code, inspected.stderr).toBe(0)
      expect(JSON.parse(inspected.stdout)).toMatchObject({ format: 'opaque' })

      // login and revoke read the Prism password from the environment until OAuthSession passes secret storage to vendor hooks.
      const loggedIn = await t.run(['login', '--port', '8765'], { env: PASSWORD_ENV })
      expect(loggedIn.code, loggedIn.stderr).toBe(0)
      expect(loggedIn.stderr).toMatch(/^logged in to .* \(profile nx\).*with a refresh token$/m)
      expect(at('/oauth/authorize')[0]?.form).toMatchObject({ confirm: 'yes', redirect_uri: 'http://127.0.0.1:8765/callback' })

      const refreshed = await t.run(['token', 'refresh'])
      expect(refreshed.code, refreshed.stderr).toBe(0)
      expect(at('/oauth/token').map((r) => r.form?.grant_type)).toEqual(['authorization_code', 'refresh_token'])

      const revoked = await t.run(['token', 'revoke', '-v'], { env: PASSWORD_ENV })
      expect(revoked.code, revoked.stderr).toBe(0)
      expect(at('/oauth/revoke_token')[0]?.query.token_type_hint).toBe('refresh_token')
      expect(revoked.stderr).toMatch(/> POST .*\/oauth\/revoke_token\?token=%5BREDACTED%5D&token_type_hint=refresh_token/)

      const clients = await t.run(['clients', 'list', '--json'])
      expect(clients.code, clients.stderr).toBe(0)
      expect(JSON.parse(clients.stdout).map((c: { id: string }) => c.id)).toContain(clientId)
    } finally {
      await t.cleanup()
    }
  })
})
