import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { exportJWK, generateKeyPair } from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ProfileInput } from '../../src/lib/config/schema.js'
import { login } from '../../src/lib/use-cases/login.js'
import { getToken } from '../../src/lib/use-cases/get-token.js'
import { PERSONA_VERSION } from '../../src/lib/vendors/persona/preset.js'
import { endpoint, fixtureResponse } from '../fakes/fixtures.js'
import { BASE_PATH, fixture, OWNER_KEY, type PersonaFake, RECIPIENT_KEY, RECIPIENT_ORG, SCOPES, startPersonaFake } from '../fakes/persona.js'
import { type Harness, harness, loginOptions } from '../fakes/vendor-context.js'
import { isolated } from '../helpers/cli.js'

let fake: PersonaFake
let h: Harness
let profile: ProfileInput

beforeEach(async () => {
  fake = await startPersonaFake()
  h = await harness()
  profile = { provider: 'persona', endpoints: { token: `${fake.origin}${BASE_PATH}/oauth/token` }, clientId: RECIPIENT_ORG }
})
afterEach(async () => {
  await h.close()
  await fake.close()
})

const authorizeRequests = () => fake.requests.filter((r) => r.path === `${BASE_PATH}/oauth/authorize`)
const tokenRequests = () => fake.requests.filter((r) => r.path === `${BASE_PATH}/oauth/token`)
const fixtureRequest = (id: string) => endpoint(fixture, id).request
const personaLogin = (options: { params?: Record<string, string>; scopes?: string[]; key?: string } = {}) =>
  login(loginOptions({ flow: 'code', scopes: options.scopes ?? SCOPES, params: options.params ?? {} }), h.loginContext(profile, { secret: options.key ?? OWNER_KEY }))
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('Persona login: authorize server to server, then exchange the code (kebab-case form, API key as Bearer)', () => {
  it('sends the fixture forms and headers, a fresh Idempotency-Key per POST', async () => {
    const summary = await personaLogin()
    const [authorize] = authorizeRequests()
    expect(authorize?.contentType).toMatch(/^application\/x-www-form-urlencoded/)
    expect(authorize?.form).toEqual(fixtureRequest('create-authorization').body?.form)
    expect(authorize?.headers).toMatchObject({
      authorization: `Bearer ${OWNER_KEY}`,
      accept: 'application/json',
      'persona-version': PERSONA_VERSION,
      'key-inflection': 'snake',
      'idempotency-key': expect.stringMatching(UUID),
    })
    const [exchange] = tokenRequests()
    expect(exchange?.form).toEqual({ ...fixtureRequest('create-access-token.authorization_code').body?.form, code: expect.any(String) })
    expect(exchange?.headers).toMatchObject({ authorization: `Bearer ${OWNER_KEY}`, 'persona-version': fixtureRequest('create-access-token.authorization_code').headers?.['Persona-Version'] })
    expect(exchange?.headers['idempotency-key']).toMatch(UUID)
    expect(exchange?.headers['idempotency-key']).not.toBe(authorize?.headers['idempotency-key'])
    expect(summary).toMatchObject({ grant: 'authorization_code', scopes: SCOPES, refreshable: false, expiresIn: expect.any(Number) })
  })

  it.each(['kebab', 'snake', 'camel'] as const)('reads %s answers (Key-Inflection ignored, or set on the API key)', async (inflection) => {
    fake.options.fixedInflection = inflection
    const summary = await personaLogin()
    expect(summary.scopes).toEqual(SCOPES)
    expect(summary.expiresIn).toBeGreaterThan(3500)
  })

  it('--param Persona-Version=… becomes the header on both requests, not a form field', async () => {
    await personaLogin({ params: { 'Persona-Version': '2025-12-08' } })
    for (const request of [...authorizeRequests(), ...tokenRequests()]) {
      expect(request.headers['persona-version']).toBe('2025-12-08')
      expect(Object.keys(request.form ?? {})).not.toContain('Persona-Version')
    }
  })

  it('the trace (-v) shows the RateLimit-* headers and none of the secrets', async () => {
    await personaLogin()
    const trace = h.trace.join('\n')
    expect(trace).toContain('< ratelimit-limit: 300')
    expect(trace).toContain('< ratelimit-remaining: 287')
    expect(trace).toContain('< ratelimit-reset: 41')
    expect(trace).toContain('> authorization: Bearer [REDACTED]')
    expect(trace).not.toContain(OWNER_KEY)
    for (const token of fake.tokens) expect(trace).not.toContain(token)
    expect(trace).toMatch(/"code":"\[REDACTED\]"/)
  })

  it('a 429 waits RateLimit-Reset and repeats the request with the same Idempotency-Key', async () => {
    const limited = fixtureResponse(fixture, 'create-access-token.authorization_code', 429)
    fake.inject({ ...limited, headers: { ...limited.headers, 'RateLimit-Reset': '3' } }, (r) => r.path.endsWith('/oauth/token'))
    await personaLogin()
    const [first, second] = tokenRequests()
    expect(second?.headers['idempotency-key']).toBe(first?.headers['idempotency-key'])
    expect(second?.body).toBe(first?.body)
    expect(h.waits).toEqual([3000])
  })

  it('a 429 still failing after the retries is exit 5, naming the error', async () => {
    const limited = fixtureResponse(fixture, 'create-access-token.authorization_code', 429)
    for (let i = 0; i < 3; i++) fake.inject({ ...limited, headers: { ...limited.headers, 'RateLimit-Reset': '1' } }, (r) => r.path.endsWith('/oauth/token'))
    await expect(personaLogin()).rejects.toMatchObject({ exitCode: 5, message: expect.stringMatching(/status 429.*: Too many requests$/) })
  })
})

describe('Persona errors: {"errors": [{title, details, source}]}', () => {
  it('401 (title only), 403 and 422 (with the source pointer) from authorize are the server refusing (exit 4)', async () => {
    await expect(personaLogin({ key: 'persona_sandbox_wrong' })).rejects.toMatchObject({ exitCode: 4, message: 'Authentication required', httpStatus: 401 })
    fake.options.forbidden = true
    await expect(personaLogin()).rejects.toMatchObject({ exitCode: 4, message: 'Access denied: OAuth authorization is not enabled for this organization' })
    fake.options.forbidden = false
    await expect(personaLogin({ scopes: ['inquiry.read'] })).rejects.toMatchObject({ exitCode: 4, message: 'Invalid parameters: scope contains an unknown permission (/scope)', httpStatus: 422 })
  })

  it.each([
    [400, 'Bad request: grant-type must be authorization_code'],
    [404, 'Not found: authorization code not found or already used'],
  ])('%i from the token endpoint', async (status, message) => {
    fake.inject(fixtureResponse(fixture, 'create-access-token.authorization_code', status), (r) => r.path.endsWith('/oauth/token'))
    await expect(personaLogin()).rejects.toMatchObject({ exitCode: 4, message })
  })

  it('no scope, or no API key, is refused before any request', async () => {
    await expect(personaLogin({ scopes: [] })).rejects.toMatchObject({ exitCode: 2, code: 'missing_scope' })
    await expect(login(loginOptions({ flow: 'code', scopes: SCOPES }), h.loginContext(profile))).rejects.toMatchObject({ exitCode: 3 })
    expect(fake.requests).toHaveLength(0)
  })
})

describe('Persona client credentials (newer API versions: a private_key_jwt assertion, snake_case)', () => {
  it('sends the fixture form with an assertion signed by the profile key and addressed to the token endpoint', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true })
    fake.options.clientKey = publicKey
    const keyFile = join(h.dir, 'persona-key.json')
    await writeFile(keyFile, JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'key-1' }))
    profile.privateKeyPath = keyFile
    const { token } = await getToken({ grant: 'client_credentials', scopes: [], minTtl: 60, force: true, params: {} }, h.tokenContext(profile))
    const [request] = tokenRequests()
    const wanted = fixtureRequest('create-access-token.client_credentials').body?.form as Record<string, string>
    expect(request?.form).toEqual({ ...wanted, client_assertion: expect.stringMatching(/^eyJ/), client_id: RECIPIENT_ORG })
    expect(request?.headers.authorization).toBeUndefined()
    expect(token).toMatchObject({ token_type: 'Bearer', grant: 'client_credentials', access_token: expect.stringMatching(/^persona_access_token_/) })
  })

  it('without a key, says to log in again: Persona issues no refresh token (exit 3)', async () => {
    await expect(getToken({ grant: 'client_credentials', scopes: [], minTtl: 60, force: true, params: {} }, h.tokenContext(profile, { secret: RECIPIENT_KEY }))).rejects.toMatchObject({
      exitCode: 3,
      code: 'no_private_key',
    })
    expect(fake.requests).toHaveLength(0)
  })
})

describe('Persona end to end (bin/run.js)', () => {
  it('profiles add (API key as client secret) → login with Persona-Version → token get → inspect → revoke (none) → logout', async () => {
    const t = await isolated()
    try {
      const added = await t.run(['profiles', 'add', 'pa', '--provider', 'persona', '--token-endpoint', `${fake.origin}${BASE_PATH}/oauth/token`, '--client-id', RECIPIENT_ORG, '--client-secret-stdin'], {
        stdin: OWNER_KEY,
      })
      expect(added.code, added.stderr).toBe(0)
      const scopeFlags = SCOPES.flatMap((s) => ['--scope', s])

      const loggedIn = await t.run(['login', ...scopeFlags, '--param', 'Persona-Version=2025-12-08', '-v'])
      expect(loggedIn.code, loggedIn.stderr).toBe(0)
      expect(loggedIn.stderr).toContain('> Persona-Version: 2025-12-08')
      expect(loggedIn.stderr).toContain('< ratelimit-remaining: 287')
      expect(loggedIn.stderr).not.toContain(OWNER_KEY)
      expect(loggedIn.stderr).toMatch(/^logged in to .* \(profile pa\): scopes inquiry\.read:\S+ verification\.read:\S+; access token expires in/m)

      fake.clearLog()
      const token = await t.run(['token', 'get', ...scopeFlags])
      expect(token.code, token.stderr).toBe(0)
      expect(fake.tokens.has(token.stdout.trim())).toBe(true)
      expect(fake.requests).toHaveLength(0)

      const inspected = await t.run(['token', 'inspect', '-', '--json'], { stdin: token.stdout.trim() })
      expect(JSON.parse(inspected.stdout)).toMatchObject({ format: 'opaque' })

      const revoked = await t.run(['token', 'revoke', '-'], { stdin: token.stdout.trim() })
      expect(revoked.code).toBe(2)
      expect(revoked.stderr).toMatch(/^error: the profile has no revocation endpoint$/m)
      const out = await t.run(['logout', '--json'])
      expect(out.code, out.stderr).toBe(0)
      expect(JSON.parse(out.stdout)).toMatchObject({ deleted: 1, revoked: 0 })
    } finally {
      await t.cleanup()
    }
  })
})
