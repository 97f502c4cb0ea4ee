import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ProfileInput } from '../../src/lib/config/schema.js'
import { login } from '../../src/lib/use-cases/login.js'
import { getToken, type GetTokenOptions } from '../../src/lib/use-cases/get-token.js'
import { introspect } from '../../src/lib/tokens/introspect.js'
import { revoke } from '../../src/lib/tokens/revoke.js'
import { basicCredentials, endpoint, fixtureBody, fixtureResponse } from '../fakes/fixtures.js'
import { ADMIN, CODE_CLIENT, fixture, type GenesysFake, IMPLICIT_CLIENT, SAML, startGenesysFake } from '../fakes/genesys.js'
import { type Harness, harness, loginOptions } from '../fakes/vendor-context.js'
import { isolated } from '../helpers/cli.js'

let fake: GenesysFake
let h: Harness

beforeEach(async () => {
  fake = await startGenesysFake()
  h = await harness()
})
afterEach(async () => {
  await h.close()
  await fake.close()
})

/** A profile that reaches the fake through the region (an origin URL serves login and API alike). */
const profile = (clientId: string): ProfileInput => ({ provider: 'genesys', region: fake.origin, clientId })
const CODE_SECRET = (basicCredentials({ authorization: endpoint(fixture, 'token.authorization_code').request.headers?.Authorization }) as [string, string])[1]
const tokenRequests = () => fake.requests.filter((r) => r.path === '/oauth/token')
const fixtureRequest = (id: string) => endpoint(fixture, id).request
const get = (clientId: string, secret: string | undefined, options: Partial<GetTokenOptions>) =>
  getToken({ grant: 'auto', scopes: [], minTtl: 60, force: true, params: {}, ...options }, h.tokenContext(profile(clientId), { secret }))

/** The fixture's Basic header byte for byte (base64(id:secret), as Genesys's SDKs send it), form body. */
function expectBasicForm(id: string) {
  const [request] = tokenRequests()
  expect(request?.contentType).toMatch(/^application\/x-www-form-urlencoded/)
  expect(request?.headers.authorization).toBe(fixtureRequest(id).headers?.Authorization)
  return request?.form
}

describe('Genesys Cloud token endpoint (login.<region>/oauth/token)', () => {
  it('client credentials: Basic and the fixture form', async () => {
    const { token } = await get(ADMIN.clientId, ADMIN.secret, { grant: 'client_credentials' })
    expect(expectBasicForm('token.client_credentials')).toEqual(fixtureRequest('token.client_credentials').body?.form)
    expect(token).toMatchObject({ token_type: 'Bearer', grant: 'client_credentials', expires_at: expect.any(Number) })
  })

  it('saml2_bearer: Basic, the RFC 7522 grant type, orgName and the base64url assertion (raw XML is encoded)', async () => {
    await get(ADMIN.clientId, ADMIN.secret, { grant: 'saml2_bearer', inputs: { assertion: SAML.assertion, orgName: SAML.orgName } })
    expect(expectBasicForm('token.saml2bearer')).toEqual(fixtureRequest('token.saml2bearer').body?.form)

    fake.clearLog()
    const xml = Buffer.from(SAML.assertion, 'base64url').toString('utf8')
    await get(ADMIN.clientId, ADMIN.secret, { grant: 'saml2_bearer', inputs: { assertion: xml, orgName: SAML.orgName } })
    expect(tokenRequests()[0]?.form?.assertion).toBe(SAML.assertion)
    await expect(get(ADMIN.clientId, ADMIN.secret, { grant: 'saml2_bearer' })).rejects.toMatchObject({ exitCode: 2, code: 'missing_assertion' })
  })

  it('shows the token endpoint errors (error, description, error_description) plainly: 401 invalid_client, 400 unauthorized_client', async () => {
    await expect(get(ADMIN.clientId, 'wrong-secret-value', { grant: 'client_credentials' })).rejects.toMatchObject({
      exitCode: 4,
      message: 'invalid_client: client not found',
      httpStatus: 401,
    })
    // The code client may not use client credentials.
    await expect(get(CODE_CLIENT, CODE_SECRET, { grant: 'client_credentials' })).rejects.toMatchObject({ exitCode: 4, message: 'unauthorized_client: grant type not allowed for client' })
  })

  it('honours Retry-After on a 429 from the token endpoint, and gives up at once on one longer than it waits (exit 5)', async () => {
    const limited = fixtureResponse(fixture, 'rateLimited', 429)
    fake.inject({ ...limited, headers: { ...limited.headers, 'Retry-After': '2' } }, (r) => r.path === '/oauth/token')
    await get(ADMIN.clientId, ADMIN.secret, { grant: 'client_credentials' })
    expect(h.waits).toEqual([2000])
    expect(tokenRequests()).toHaveLength(2)

    fake.inject(limited, (r) => r.path === '/oauth/token')
    await expect(get(ADMIN.clientId, ADMIN.secret, { grant: 'client_credentials' })).rejects.toMatchObject({ exitCode: 5, code: 'http_429' })
    expect(h.waits).toEqual([2000])
  })
})

describe('Genesys Cloud login (login.<region>/oauth/authorize)', () => {
  it('code + PKCE for a public client: client_id in the body, no secret, and the verifier matches the S256 challenge', async () => {
    const summary = await login(loginOptions({ flow: 'code', scopes: [] }), h.loginContext(profile(CODE_CLIENT)))
    const [authorize] = fake.requests.filter((r) => r.path === '/oauth/authorize')
    expect(Object.keys(authorize?.query ?? {}).sort()).toEqual(Object.keys(fixtureRequest('authorize.pkce').query ?? {}).sort())
    expect(authorize?.query).toMatchObject({ client_id: CODE_CLIENT, response_type: 'code', code_challenge_method: 'S256' })
    const [exchange] = tokenRequests()
    expect(exchange?.headers.authorization).toBeUndefined()
    expect(Object.keys(exchange?.form ?? {}).sort()).toEqual(Object.keys(fixtureRequest('token.pkce').body?.form ?? {}).sort())
    expect(exchange?.form).toMatchObject({ grant_type: 'authorization_code', client_id: CODE_CLIENT, redirect_uri: authorize?.query.redirect_uri })
    expect(summary).toMatchObject({ grant: 'authorization_code', refreshable: false })
  })

  it('code for a confidential client: Basic, then refresh with Basic', async () => {
    const ctx = h.loginContext(profile(CODE_CLIENT), { secret: CODE_SECRET })
    const summary = await login(loginOptions({ flow: 'code', scopes: [] }), ctx)
    expect(summary.refreshable).toBe(true)
    const wanted = fixtureRequest('token.authorization_code').body?.form ?? {}
    expect(expectBasicForm('token.authorization_code')).toMatchObject({ grant_type: 'authorization_code', redirect_uri: expect.stringMatching(/^http:\/\/127\.0\.0\.1:/) })
    expect(Object.keys(tokenRequests()[0]?.form ?? {}).sort()).toEqual([...Object.keys(wanted), 'code_verifier'].sort())

    fake.clearLog()
    await getToken({ grant: 'refresh_token', scopes: [], minTtl: 60, force: true, params: {} }, ctx)
    expect(Object.keys(tokenRequests()[0]?.form ?? {}).sort()).toEqual(Object.keys(fixtureRequest('token.refresh_token').body?.form ?? {}).sort())
    expect(basicCredentials(tokenRequests()[0]?.headers ?? {})).toEqual([CODE_CLIENT, CODE_SECRET])
  })

  it('a refresh token the server rejects (400 invalid_grant) is dropped: log in again (exit 3)', async () => {
    const ctx = h.loginContext(profile(CODE_CLIENT), { secret: CODE_SECRET })
    await login(loginOptions({ flow: 'code', scopes: [] }), ctx)
    fake.inject(fixtureResponse(fixture, 'token.refresh_token', 400), (r) => r.path === '/oauth/token')
    await expect(getToken({ grant: 'refresh_token', scopes: [], minTtl: 60, force: true, params: {} }, ctx)).rejects.toMatchObject({
      exitCode: 3,
      message: expect.stringContaining('invalid_grant: refresh token expired'),
    })
  })

  it('implicit: the token arrives in the fragment; a refusal there is access_denied (exit 4)', async () => {
    const summary = await login(loginOptions({ flow: 'implicit', scopes: [] }), h.loginContext(profile(IMPLICIT_CLIENT)))
    expect(fake.requests.find((r) => r.path === '/oauth/authorize')?.query).toMatchObject({ client_id: IMPLICIT_CLIENT, response_type: 'token' })
    expect(summary).toMatchObject({ grant: 'implicit', expiresIn: expect.any(Number) })
    expect(tokenRequests()).toHaveLength(0)

    fake.options.deny = true
    await expect(login(loginOptions({ flow: 'implicit', scopes: [] }), h.loginContext(profile(IMPLICIT_CLIENT)))).rejects.toMatchObject({ exitCode: 4, message: 'access_denied: user denied' })
  })
})

describe('Genesys Cloud tokens/me (token inspect --introspect, token revoke)', () => {
  it('GET /api/v2/tokens/me?preserveIdleTTL=true with the token as Bearer: TokenInfo', async () => {
    const { token } = await get(ADMIN.clientId, ADMIN.secret, { grant: 'client_credentials' })
    const info = await introspect(h.session(profile(ADMIN.clientId), ADMIN.secret), token.access_token)
    const request = fake.requests.find((r) => r.path === '/api/v2/tokens/me')
    expect(request).toMatchObject({ method: 'GET', query: fixtureRequest('getTokensMe').query })
    expect(request?.headers).toMatchObject({ authorization: `Bearer ${token.access_token}`, accept: 'application/json' })
    const { OAuthClient: _client, ...rest } = fixtureBody<Record<string, unknown>>(fixture, 'getTokensMe')
    expect(info).toMatchObject({ active: true, ...rest, OAuthClient: { id: ADMIN.clientId, authorizedGrantType: 'CLIENT-CREDENTIALS' } })
    expect(await introspect(h.session(profile(ADMIN.clientId), ADMIN.secret), 'gc_at_unknown')).toEqual({ active: false })
  })

  it('DELETE /api/v2/tokens/me revokes the calling token; revoking it again is still success', async () => {
    const { token } = await get(ADMIN.clientId, ADMIN.secret, { grant: 'client_credentials' })
    const session = h.session(profile(ADMIN.clientId), ADMIN.secret)
    await revoke(session, token.access_token, 'access_token')
    const request = fake.requests.find((r) => r.path === '/api/v2/tokens/me')
    expect(request).toMatchObject({ method: 'DELETE', body: '' })
    expect(request?.headers.authorization).toBe(`Bearer ${token.access_token}`)
    expect(fake.tokens.has(token.access_token)).toBe(false)
    await revoke(session, token.access_token) // 401 now: already unusable
    await expect(revoke(session, 'gc_rt_x', 'refresh_token')).rejects.toMatchObject({ exitCode: 2, code: 'not_supported' })
  })

  it('waits for Retry-After on a 429 from the API too', async () => {
    const { token } = await get(ADMIN.clientId, ADMIN.secret, { grant: 'client_credentials' })
    const limited = fixtureResponse(fixture, 'rateLimited', 429)
    fake.inject({ ...limited, headers: { ...limited.headers, 'Retry-After': '1' } }, (r) => r.path === '/api/v2/tokens/me')
    expect(await introspect(h.session(profile(ADMIN.clientId), ADMIN.secret), token.access_token)).toMatchObject({ active: true })
    expect(h.waits).toEqual([1000])
  })
})

describe('Genesys Cloud end to end (bin/run.js)', () => {
  it('profiles add names only the region; a region not in the list is refused (exit 2)', async () => {
    const t = await isolated()
    try {
      const added = await t.run(['profiles', 'add', 'work', '--provider', 'genesys', '--region', 'mypurecloud.ie', '--client-id', 'my-client', '--json'])
      expect(added.code, added.stderr).toBe(0)
      expect(JSON.parse(added.stdout).endpoints).toEqual({
        authorization: 'https://login.mypurecloud.ie/oauth/authorize',
        token: 'https://login.mypurecloud.ie/oauth/token',
        introspection: 'https://api.mypurecloud.ie/api/v2/tokens/me',
        revocation: 'https://api.mypurecloud.ie/api/v2/tokens/me',
      })
      const bad = await t.run(['profiles', 'add', 'typo', '--provider', 'genesys', '--region', 'mypurecloud.xx', '--client-id', 'c'])
      expect(bad.code).toBe(2)
      expect(bad.stderr).toMatch(/^error: "mypurecloud\.xx" is not a Genesys Cloud region$/m)
      expect(bad.stderr).toMatch(/^hint: use one of mypurecloud\.com, mypurecloud\.ie, .*apse1\.pure\.cloud/m)
    } finally {
      await t.cleanup()
    }
  })

  it('profiles add → token get → inspect --introspect → clients list → revoke, then saml2_bearer', async () => {
    const t = await isolated()
    try {
      const added = await t.run(['profiles', 'add', 'gc', '--provider', 'genesys', '--region', fake.origin, '--client-id', ADMIN.clientId, '--client-secret-stdin'], { stdin: ADMIN.secret })
      expect(added.code, added.stderr).toBe(0)

      const token = await t.run(['token', 'get'])
      expect(token.code, token.stderr).toBe(0)
      const accessToken = token.stdout.trim()
      expect(fake.tokens.has(accessToken)).toBe(true)

      const inspected = await t.run(['token', 'inspect', '--introspect', '--json'])
      expect(inspected.code, inspected.stderr).toBe(0)
      expect(JSON.parse(inspected.stdout).introspection).toMatchObject({ active: true, organization: { name: 'Example Org' }, OAuthClient: { id: ADMIN.clientId } })

      const clients = await t.run(['clients', 'list', '--json'])
      expect(clients.code, clients.stderr).toBe(0)
      expect(JSON.parse(clients.stdout)).toHaveLength(3)

      const revoked = await t.run(['token', 'revoke'])
      expect(revoked.code, revoked.stderr).toBe(0)
      expect(revoked.stdout).toBe('revoked and removed from the cache\n')
      expect(fake.tokens.has(accessToken)).toBe(false)
      expect(fake.requests.filter((r) => r.path === '/api/v2/tokens/me').map((r) => r.method)).toEqual(['GET', 'DELETE'])

      const assertion = join(t.home, 'assertion.xml')
      await writeFile(assertion, Buffer.from(SAML.assertion, 'base64url'))
      const saml = await t.run(['token', 'get', '--grant', 'saml2_bearer', '--assertion-file', assertion, '--org-name', SAML.orgName, '-v'])
      expect(saml.code, saml.stderr).toBe(0)
      expect(tokenRequests().at(-1)?.form).toEqual(fixtureRequest('token.saml2bearer').body?.form)
      expect(saml.stderr).toContain('assertion=%5BREDACTED%5D')
    } finally {
      await t.cleanup()
    }
  })
})
