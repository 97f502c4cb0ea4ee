import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ProfileInput } from '../../src/lib/config/schema.js'
import { CliError, OAuthError } from '../../src/lib/errors.js'
import { login } from '../../src/lib/use-cases/login.js'
import { getToken, type GetTokenOptions } from '../../src/lib/use-cases/get-token.js'
import { introspect } from '../../src/lib/tokens/introspect.js'
import { endpoint, fixtureResponse, json } from '../fakes/fixtures.js'
import { ACCOUNT, ADMIN, AUTHORIZATION_PATH, fixture, type PhonecomFake, startPhonecomFake, TOKEN_PATH, USER } from '../fakes/phonecom.js'
import { type Harness, harness, loginOptions } from '../fakes/vendor-context.js'
import { isolated } from '../helpers/cli.js'

let fake: PhonecomFake
let h: Harness
let profile: ProfileInput

beforeEach(async () => {
  fake = await startPhonecomFake()
  h = await harness()
  profile = { provider: 'phonecom', endpoints: { token: `${fake.origin}${TOKEN_PATH}` }, clientId: ADMIN.clientId, scopes: ['account-owner'] }
})
afterEach(async () => {
  await h.close()
  await fake.close()
})

const phonecomShapes = () => fixture.errorShapes as Record<string, unknown>
const tokenRequests = () => fake.requests.filter((r) => r.method === 'POST' && r.path === TOKEN_PATH)
const fixtureJson = (id: string) => endpoint(fixture, `create-oauth-access-token.${id}`).request.body?.json as Record<string, string>
const get = (options: Partial<GetTokenOptions>, o: { secret?: string } = { secret: ADMIN.secret }) =>
  getToken({ grant: 'auto', scopes: [], minTtl: 60, force: true, params: {}, ...options }, h.tokenContext(profile, o))

/** The fixture's request headers we send (no Bearer API key: the client authenticates in the body). */
function expectJsonTokenRequest(index = 0) {
  const request = tokenRequests()[index]
  expect(request?.contentType).toBe('application/json')
  expect(request?.headers.accept).toBe('application/json')
  expect(request?.headers.authorization).toBeUndefined()
  return request?.json as Record<string, string>
}

describe('phone.com token requests: JSON body, client_id/client_secret inside, 201', () => {
  it('client credentials sends exactly the fixture body and takes the 201', async () => {
    const { token } = await get({ grant: 'client_credentials' })
    expect(expectJsonTokenRequest()).toEqual(fixtureJson('client_credentials'))
    expect(token).toMatchObject({ access_token: expect.stringMatching(/^pc_at_/), token_type: 'Bearer', scope: 'account-owner', grant: 'client_credentials' })
    expect(fake.tokens.has(token.access_token)).toBe(true)
  })

  it('password sends the fixture body; refresh sends the refresh token with the requested scope', async () => {
    profile.scopes = ['extension-user']
    const first = await get({ grant: 'password', inputs: USER })
    expect(expectJsonTokenRequest()).toEqual(fixtureJson('password'))
    expect(first.token.refresh_token).toMatch(/^pc_rt_/)

    const refreshed = await getToken({ grant: 'refresh_token', scopes: [], minTtl: 60, force: true, params: {} }, h.tokenContext(profile, { secret: ADMIN.secret }))
    // RFC 6749 §6 allows the scope on a refresh; the fixture's refresh body is the rest.
    expect(expectJsonTokenRequest(1)).toEqual({ ...fixtureJson('refresh_token'), refresh_token: first.token.refresh_token, scope: 'extension-user' })
    expect(refreshed.token.refresh_token).not.toBe(first.token.refresh_token)
  })

  it('--param fields join the JSON body, and the grant keeps its own fields', async () => {
    await get({ grant: 'client_credentials', params: { client_id: 'spoofed', extra: 'x' } })
    expect(expectJsonTokenRequest()).toEqual({ ...fixtureJson('client_credentials'), extra: 'x' })
  })

  it('logs in with the code flow: GET /oauth/authorization, then the code exchanged as JSON', async () => {
    const ctx = h.loginContext(profile, { secret: ADMIN.secret })
    const summary = await login(loginOptions({ flow: 'code', scopes: ['account-owner', 'extension-user'] }), ctx)
    const [authorize] = fake.requests.filter((r) => r.path === AUTHORIZATION_PATH)
    const asked = endpoint(fixture, 'create-oauth-authorization.code').request.query as Record<string, string>
    expect(Object.keys(authorize?.query ?? {})).toEqual(expect.arrayContaining(Object.keys(asked)))
    expect(authorize?.query).toMatchObject({ client_id: ADMIN.clientId, response_type: 'code', scope: 'account-owner extension-user', redirect_uri: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/callback$/) })

    const body = expectJsonTokenRequest()
    const wanted = fixtureJson('authorization_code')
    expect(Object.keys(body).sort()).toEqual([...Object.keys(wanted), 'code_verifier'].sort())
    expect(body).toMatchObject({ grant_type: 'authorization_code', client_id: ADMIN.clientId, client_secret: ADMIN.secret, redirect_uri: authorize?.query.redirect_uri })
    // PKCE's verifier is the one field CreateOauthParams lacks; servers ignore what they do not know (RFC 6749 §3.2).
    expect(fake.unknownFields).toEqual(['code_verifier'])
    expect(summary).toMatchObject({ grant: 'authorization_code', scopes: ['account-owner', 'extension-user'], refreshable: true })
  })

  it('logs in with the implicit flow: the token comes back in the fragment', async () => {
    const ctx = h.loginContext(profile)
    const summary = await login(loginOptions({ flow: 'implicit', scopes: ['account-owner'] }), ctx)
    expect(fake.requests.find((r) => r.path === AUTHORIZATION_PATH)?.query.response_type).toBe('token')
    expect(tokenRequests()).toHaveLength(0)
    expect(summary).toMatchObject({ grant: 'implicit', refreshable: false })
    expect(ctx.info.join('\n')).toContain('the implicit flow is legacy')
  })
})

describe('phone.com errors: Mason @error bodies', () => {
  it('401 with a wrong secret is the server refusing (exit 4), its @message shown, the secret not', async () => {
    const err = await get({ grant: 'client_credentials' }, { secret: 'wrong-secret-value' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OAuthError)
    expect([(err as CliError).exitCode, (err as CliError).message, (err as CliError).httpStatus]).toEqual([4, 'Client authentication failed', 401])
  })

  it('422 shows @message and @messages', async () => {
    fake.inject(fixtureResponse(fixture, 'create-oauth-access-token.error', 422))
    await expect(get({ grant: 'client_credentials' })).rejects.toMatchObject({ exitCode: 4, message: 'Invalid data: grant_type is required' })
  })

  it('429 is retried, and still failing after retries is exit 5 with the Mason message', async () => {
    const limited = (phonecomShapes().rateLimited as { status: number; body: unknown })
    fake.inject(json(limited.status, limited.body))
    await get({ grant: 'client_credentials' })
    expect(tokenRequests()).toHaveLength(2)
    expect(h.waits).toHaveLength(1)

    for (let i = 0; i < 3; i++) fake.inject(json(limited.status, limited.body))
    await expect(get({ grant: 'client_credentials' })).rejects.toMatchObject({ exitCode: 5, message: expect.stringMatching(/status 429.*: Too many requests, slow down$/) })
  })

  it('a profile without a client secret stops before any request (exit 3)', async () => {
    await expect(get({ grant: 'client_credentials' }, {})).rejects.toMatchObject({ exitCode: 3 })
    expect(fake.requests).toHaveLength(0)
  })

  it('the fake no longer takes the generic form + Basic request (what oauthctl sent before the preset)', async () => {
    const res = await fetch(`${fake.origin}${TOKEN_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${ADMIN.clientId}:${ADMIN.secret}`).toString('base64')}` },
      body: 'grant_type=client_credentials&scope=account-owner',
    })
    expect(res.status).toBe(422)
  })
})

describe('phone.com token details (token inspect --introspect)', () => {
  it('GET /oauth/access-token with the token as Bearer: scope, expires_at and the account', async () => {
    const { token } = await get({ grant: 'client_credentials' })
    const details = await introspect(h.session(profile, ADMIN.secret), token.access_token)
    const request = fake.requests.find((r) => r.method === 'GET' && r.path === TOKEN_PATH)
    expect(request?.headers).toMatchObject({ authorization: `Bearer ${token.access_token}`, accept: 'application/json' })
    expect(details).toEqual({ active: true, scope: 'account-owner', expires_at: expect.any(Number), scope_details: [{ voip_id: ACCOUNT }] })
  })

  it('a token phone.com does not know (the fixture 401) is inactive, not an error', async () => {
    expect(await introspect(h.session(profile, ADMIN.secret), 'pc_at_unknown')).toEqual({ active: false })
  })
})

describe('phone.com end to end (bin/run.js)', () => {
  it('profiles add with the preset → token get → inspect --introspect → clients list → revoke (none in v4) → logout', async () => {
    const t = await isolated()
    try {
      // No --scope: the preset's account-owner applies, which client administration needs.
      const added = await t.run(['profiles', 'add', 'pc', '--provider', 'phonecom', '--token-endpoint', `${fake.origin}${TOKEN_PATH}`, '--client-id', ADMIN.clientId, '--client-secret-stdin', '--json'], {
        stdin: ADMIN.secret,
      })
      expect(added.code, added.stderr).toBe(0)
      expect(JSON.parse(added.stdout)).toMatchObject({
        profile: { scopes: ['account-owner'] },
        endpoints: { authorization: `${fake.origin}/v4/oauth/authorization`, token: `${fake.origin}${TOKEN_PATH}`, introspection: `${fake.origin}${TOKEN_PATH}` },
      })

      const token = await t.run(['token', 'get', '-v'])
      expect(token.code, token.stderr).toBe(0)
      expect(token.stdout).toMatch(/^pc_at_[0-9a-f]+\n$/)
      expect(token.stderr).toContain(`> POST ${fake.origin}${TOKEN_PATH}`)
      expect(token.stderr).toContain('"client_secret":"[REDACTED]"')
      expect(token.stderr).not.toContain(ADMIN.secret)
      expect(token.stderr).toContain('< 201 Created')

      const inspected = await t.run(['token', 'inspect', '--introspect', '--json'])
      expect(inspected.code, inspected.stderr).toBe(0)
      expect(JSON.parse(inspected.stdout)).toMatchObject({ format: 'opaque', introspection: { active: true, scope: 'account-owner', scope_details: [{ voip_id: ACCOUNT }] } })

      const clients = await t.run(['clients', 'list', '--json'])
      expect(clients.code, clients.stderr).toBe(0)
      expect(JSON.parse(clients.stdout).map((c: { id: string }) => c.id)).toEqual(['1201', '1207'])
      expect(tokenRequests()).toHaveLength(1) // the admin commands reused the cached token

      const revoked = await t.run(['token', 'revoke'])
      expect(revoked.code).toBe(2)
      expect(revoked.stderr).toMatch(/^error: the profile has no revocation endpoint$/m)
      const out = await t.run(['logout'])
      expect(out.code, out.stderr).toBe(0)
      expect(out.stderr).toContain('the server has no revocation endpoint')
      expect((await t.run(['token', 'inspect'])).code).toBe(3)
    } finally {
      await t.cleanup()
    }
  })
})
