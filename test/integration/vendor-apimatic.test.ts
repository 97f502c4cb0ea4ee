import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ProfileInput } from '../../src/lib/config/schema.js'
import { login } from '../../src/lib/use-cases/login.js'
import { getToken, type GetTokenOptions } from '../../src/lib/use-cases/get-token.js'
import { AUTHORIZE_PATH, type ApimaticFake, CLIENT, CLIENT_CREDENTIALS_PATH, fixture, SCOPE, startApimaticFake, TOKEN_PATH, USER } from '../fakes/apimatic.js'
import { endpoint, fixtureResponse, json } from '../fakes/fixtures.js'
import { type Harness, harness, loginOptions } from '../fakes/vendor-context.js'
import { isolated } from '../helpers/cli.js'

let fake: ApimaticFake
let h: Harness
let profile: ProfileInput

beforeEach(async () => {
  fake = await startApimaticFake()
  h = await harness()
  profile = { provider: 'apimatic', host: fake.origin, clientId: CLIENT.clientId, scopes: [SCOPE] }
})
afterEach(async () => {
  await h.close()
  await fake.close()
})

const posts = (path: string) => fake.requests.filter((r) => r.method === 'POST' && r.path === path)
const fixtureForm = (id: string) => endpoint(fixture, id).request.body?.form as Record<string, string>
const get = (options: Partial<GetTokenOptions>, secret = CLIENT.secret) =>
  getToken({ grant: 'auto', scopes: [], minTtl: 60, force: true, params: {}, ...options }, h.tokenContext(profile, { secret }))

/** Every token request: the fixture's Basic header byte for byte (base64(id:secret)), a form body, JSON accepted. */
function expectBasicForm(path: string, index = 0) {
  const request = posts(path)[index]
  expect(request?.headers.authorization).toBe(endpoint(fixture, 'request_token_o_auth_ccg').request.headers?.Authorization)
  expect(request?.contentType).toMatch(/^application\/x-www-form-urlencoded/)
  expect(request?.headers.accept).toBe('application/json')
  expect(request?.form?.client_secret).toBeUndefined()
  return request?.form
}

describe('APIMatic token endpoints: client credentials at the auth server, the other grants at the API server', () => {
  it('client credentials: POST {AUTH}/request_token with the fixture form', async () => {
    const { token } = await get({ grant: 'client_credentials' })
    expect(expectBasicForm(CLIENT_CREDENTIALS_PATH)).toEqual(fixtureForm('request_token_o_auth_ccg'))
    expect(posts(TOKEN_PATH)).toHaveLength(0)
    expect(token).toMatchObject({ scope: SCOPE, grant: 'client_credentials' })
  })

  it('password, then refresh: POST {DEFAULT}/oauth2/non-auth-server/token with the fixture forms', async () => {
    const first = await get({ grant: 'password', inputs: USER })
    expect(expectBasicForm(TOKEN_PATH)).toEqual(fixtureForm('request_token_o_auth_ropcg'))
    await get({ grant: 'refresh_token' })
    expect(expectBasicForm(TOKEN_PATH, 1)).toEqual({ ...fixtureForm('refresh_token_o_auth_acg'), refresh_token: first.token.refresh_token })
    expect(posts(CLIENT_CREDENTIALS_PATH)).toHaveLength(0)
  })

  it('a profile without scopes refreshes with the fixture ROPCG refresh form (no scope)', async () => {
    profile.scopes = []
    const first = await get({ grant: 'password', inputs: USER })
    await get({ grant: 'refresh_token' })
    expect(expectBasicForm(TOKEN_PATH, 1)).toEqual({ ...fixtureForm('refresh_token_o_auth_ropcg'), refresh_token: first.token.refresh_token })
  })

  it('--param and the profile params add form fields', async () => {
    profile.params = { tenant: 'hearts' }
    await get({ grant: 'client_credentials', params: { suites: '1' } })
    expect(expectBasicForm(CLIENT_CREDENTIALS_PATH)).toEqual({ ...fixtureForm('request_token_o_auth_ccg'), tenant: 'hearts', suites: '1' })
  })

  it('login: GET {DEFAULT}/oauth/authorize, then the code at the API server with Basic', async () => {
    const summary = await login(loginOptions({ flow: 'code', scopes: [] }), h.loginContext(profile, { secret: CLIENT.secret }))
    const [authorize] = fake.requests.filter((r) => r.path === AUTHORIZE_PATH)
    const asked = endpoint(fixture, 'authorization_url').request.query as Record<string, string>
    expect(Object.keys(authorize?.query ?? {})).toEqual(expect.arrayContaining(Object.keys(asked)))
    // The real redirect URI (the generated SDK puts the client id there).
    expect(authorize?.query).toMatchObject({ response_type: 'code', client_id: CLIENT.clientId, scope: SCOPE, redirect_uri: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/callback$/) })
    const form = expectBasicForm(TOKEN_PATH)
    expect(form).toEqual({ ...fixtureForm('request_token_o_auth_acg'), code: expect.stringMatching(/^ac_/), redirect_uri: authorize?.query.redirect_uri, code_verifier: expect.any(String) })
    expect(summary).toMatchObject({ grant: 'authorization_code', refreshable: true })
  })

  it('a declined login (error=access_denied) is the server refusing (exit 4)', async () => {
    fake.options.deny = true
    await expect(login(loginOptions({ flow: 'code', scopes: [] }), h.loginContext(profile, { secret: CLIENT.secret }))).rejects.toMatchObject({ exitCode: 4, message: 'access_denied' })
  })

  it('--token-endpoint moves client credentials to a separate auth host; the other grants stay on the API server', async () => {
    const auth = await startApimaticFake()
    try {
      profile.endpoints = { token: `${auth.origin}${CLIENT_CREDENTIALS_PATH}` }
      await get({ grant: 'client_credentials' })
      await get({ grant: 'password', inputs: USER })
      expect(auth.requests.map((r) => r.path)).toEqual([CLIENT_CREDENTIALS_PATH])
      expect(fake.requests.map((r) => r.path)).toEqual([TOKEN_PATH])
    } finally {
      await auth.close()
    }
  })
})

describe('APIMatic errors: RFC 6749 bodies with the six OAuthProviderErrorEnum codes, shown plainly', () => {
  it.each([
    ['request_token_o_auth_ccg', 400, 'invalid_scope: Requested scope is not allowed for this client'],
    ['request_token_o_auth_ccg', 401, 'invalid_client: Client authentication failed'],
    ['request_token_o_auth_acg', 400, 'invalid_grant: Authorization code expired'],
    ['request_token_o_auth_acg', 401, 'invalid_client'],
    ['refresh_token_o_auth_acg', 400, 'invalid_grant: Refresh token revoked'],
    ['request_token_o_auth_ropcg', 400, 'unsupported_grant_type'],
    ['request_token_o_auth_ropcg', 401, 'unauthorized_client: Client may not use the password grant'],
  ])('%s %i', async (id, status, message) => {
    fake.inject(fixtureResponse(fixture, id, status))
    await expect(get({ grant: 'password', inputs: USER })).rejects.toMatchObject({ exitCode: 4, message, httpStatus: status, code: message.split(':')[0] })
  })

  it('invalid_request, the sixth code', async () => {
    fake.inject(json(400, { error: 'invalid_request', error_description: 'grant_type is required' }))
    await expect(get({ grant: 'client_credentials' })).rejects.toMatchObject({ exitCode: 4, message: 'invalid_request: grant_type is required' })
  })

  it('the fake produces them itself too: a wrong secret, a scope the client may not have, a client barred from the password grant', async () => {
    await expect(get({ grant: 'client_credentials' }, 'wrong-secret-value')).rejects.toMatchObject({ message: 'invalid_client: Client authentication failed' })
    profile.scopes = ['admin.everything']
    await expect(get({ grant: 'client_credentials' })).rejects.toMatchObject({ message: 'invalid_scope: Requested scope is not allowed for this client' })
    profile.scopes = [SCOPE]
    fake.options.noPassword = true
    await expect(get({ grant: 'password', inputs: USER })).rejects.toMatchObject({ message: 'unauthorized_client: Client may not use the password grant' })
  })
})

describe('APIMatic end to end (bin/run.js)', () => {
  it('profiles add --host → token get (client credentials) → password grant → refresh → inspect → revoke (none) → logout', async () => {
    const t = await isolated()
    try {
      const added = await t.run(['profiles', 'add', 'am', '--provider', 'apimatic', '--host', fake.origin, '--client-id', CLIENT.clientId, '--client-secret-stdin', '--scope', SCOPE, '--json'], {
        stdin: CLIENT.secret,
      })
      expect(added.code, added.stderr).toBe(0)
      expect(JSON.parse(added.stdout).endpoints).toEqual({ authorization: `${fake.origin}${AUTHORIZE_PATH}`, token: `${fake.origin}${CLIENT_CREDENTIALS_PATH}` })

      const cc = await t.run(['token', 'get'])
      expect(cc.code, cc.stderr).toBe(0)
      expect(fake.tokens.has(cc.stdout.trim())).toBe(true)

      const password = await t.run(['token', 'get', '--grant', 'password', '--username', USER.username, '--password-stdin', '--output', 'json'], { stdin: USER.password })
      expect(password.code, password.stderr).toBe(0)
      expect(JSON.parse(password.stdout)).toMatchObject({ refreshToken: expect.stringMatching(/^rt_/), scopes: SCOPE.split(' '), response: { scope: SCOPE } })
      expect(password.stderr).not.toContain(USER.password)

      const refreshed = await t.run(['token', 'refresh'])
      expect(refreshed.code, refreshed.stderr).toBe(0)
      expect(fake.requests.map((r) => `${r.path} ${r.form?.grant_type}`)).toEqual([
        `${CLIENT_CREDENTIALS_PATH} client_credentials`,
        `${TOKEN_PATH} password`,
        `${TOKEN_PATH} refresh_token`,
      ])

      const inspected = await t.run(['token', 'inspect', '--json'])
      expect(inspected.code, inspected.stderr).toBe(0)
      expect(JSON.parse(inspected.stdout)).toMatchObject({ format: 'jwt', claims: { sub: CLIENT.clientId, scope: SCOPE } })

      expect((await t.run(['token', 'revoke'])).code).toBe(2)
      const out = await t.run(['logout'])
      expect(out.code, out.stderr).toBe(0)
      expect(out.stderr).toContain('the server has no revocation endpoint')
    } finally {
      await t.cleanup()
    }
  })
})
