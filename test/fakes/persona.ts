import { randomBytes } from 'node:crypto'
import { type CryptoKey, type JWK, jwtVerify } from 'jose'
import { bearer, endpoint, type FakeServer, type FixtureResponse, fixtureResponse, json, loadFixture, type RecordedRequest, startFake } from './fixtures.js'

/**
 * Persona on 127.0.0.1, built from fixtures/persona.json: `POST /oauth/authorize` and
 * `POST /oauth/token` with kebab-case form keys, the API key as Bearer, answers in the casing
 * Key-Inflection asks for (kebab by default), replays for a repeated Idempotency-Key, and the
 * rate-limit headers. A profile reaches it with the token endpoint `http://127.0.0.1:PORT/api/v1/oauth/token`.
 */
export const fixture = loadFixture('persona')
export const BASE_PATH = '/api/v1'

const authorizeRequest = endpoint(fixture, 'create-authorization').request
const tokenRequest = endpoint(fixture, 'create-access-token.authorization_code').request
/** The data owner's and the recipient's API keys (Bearer in the fixture's two requests). */
export const OWNER_KEY = bearer({ authorization: authorizeRequest.headers?.Authorization }) as string
export const RECIPIENT_KEY = bearer({ authorization: tokenRequest.headers?.Authorization }) as string
export const RECIPIENT_ORG = (authorizeRequest.body?.form as { 'client-id': string })['client-id']
export const SCOPES = ((authorizeRequest.body?.form as { scope: string }).scope).split(' ')
/** The rate-limit headers every success carries. */
export const RATE_LIMIT_HEADERS = fixtureResponse(fixture, 'create-authorization', 201).headers as Record<string, string>

type Inflection = 'kebab' | 'snake' | 'camel'
const inflect = (key: string, to: Inflection) =>
  to === 'kebab' ? key.replaceAll('_', '-') : to === 'camel' ? key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) : key

export interface PersonaFake extends FakeServer {
  /** Access tokens issued. */
  tokens: Set<string>
  options: {
    /** Answer authorize with the fixture's 403 (OAuth not enabled for the organisation). */
    forbidden: boolean
    /** Key-Inflection this server ignores: it answers in this casing whatever was asked (older servers: snake). */
    fixedInflection?: Inflection
    /** The public key that verifies client_credentials assertions (the newer API versions' grant). */
    clientKey?: CryptoKey | JWK
  }
}

export async function startPersonaFake(): Promise<PersonaFake> {
  const tokens = new Set<string>()
  const codes = new Set<string>()
  const replays = new Map<string, FixtureResponse>()
  const options: PersonaFake['options'] = { forbidden: false }
  let tokenUrl = ''

  /** A 201 in the inflection asked for (snake_case keys in, inflected keys out), with the rate-limit headers. */
  function created(req: RecordedRequest, body: Record<string, unknown>): FixtureResponse {
    const to = options.fixedInflection ?? ((req.headers['key-inflection'] as Inflection | undefined) || 'kebab')
    return json(201, Object.fromEntries(Object.entries(body).map(([k, v]) => [inflect(k, to), v])), RATE_LIMIT_HEADERS)
  }

  function authorize(req: RecordedRequest): FixtureResponse {
    if (options.forbidden) return fixtureResponse(fixture, 'create-authorization', 403)
    const form = req.form ?? {}
    if (!/^org_\w+$/.test(form['client-id'] ?? '') || form['response-type'] !== 'code') return json(400, { errors: [{ title: 'Bad request', details: 'client-id and response-type=code are required' }] })
    const scopes = (form.scope ?? '').split(' ').filter(Boolean)
    if (scopes.length === 0 || scopes.some((s) => !/^[a-z_]+\.[a-z_]+:\w+$/.test(s))) return fixtureResponse(fixture, 'create-authorization', 422)
    const code = randomBytes(14).toString('base64url')
    codes.add(code)
    return created(req, { code, expires_in: 600 })
  }

  async function token(req: RecordedRequest): Promise<FixtureResponse> {
    const form = req.form ?? {}
    if (form.grant_type === 'client_credentials') return clientCredentials(req)
    if (form['grant-type'] !== 'authorization_code') return fixtureResponse(fixture, 'create-access-token.authorization_code', 400)
    if (!codes.delete(form.code ?? '')) return fixtureResponse(fixture, 'create-access-token.authorization_code', 404)
    const accessToken = `persona_access_token_${randomBytes(12).toString('hex')}`
    tokens.add(accessToken)
    return created(req, { access_token: accessToken, token_type: 'bearer', expires_in: 3600, scope: SCOPES.join(' ') })
  }

  /** The newer versions' grant: a private_key_jwt assertion (RFC 7523) addressed to this token endpoint; snake_case answer. */
  async function clientCredentials(req: RecordedRequest): Promise<FixtureResponse> {
    const form = req.form ?? {}
    const denied = json(401, { errors: [{ title: 'Authentication required' }] })
    if (!options.clientKey || form.client_assertion_type !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return denied
    try {
      const { payload } = await jwtVerify(form.client_assertion ?? '', options.clientKey, { audience: tokenUrl })
      if (payload.iss !== payload.sub) return denied
    } catch {
      return denied
    }
    const ok = fixtureResponse(fixture, 'create-access-token.client_credentials', 201)
    const accessToken = `persona_access_token_${randomBytes(12).toString('hex')}`
    tokens.add(accessToken)
    return { ...ok, body: { ...(ok.body as object), access_token: accessToken } }
  }

  async function handle(req: RecordedRequest): Promise<FixtureResponse> {
    const isAuthorize = req.path === `${BASE_PATH}/oauth/authorize` && req.method === 'POST'
    const isToken = req.path === `${BASE_PATH}/oauth/token` && req.method === 'POST'
    if (!isAuthorize && !isToken) return json(404, { errors: [{ title: 'Not found' }] })
    const viaAssertion = isToken && req.form?.grant_type === 'client_credentials'
    const key = bearer(req.headers)
    // 401 is decided before the idempotency layer (Persona's docs), so it is never replayed.
    if (!viaAssertion && key !== OWNER_KEY && key !== RECIPIENT_KEY) return fixtureResponse(fixture, 'create-authorization', 401)
    const idempotencyKey = req.headers['idempotency-key'] as string | undefined
    const replay = idempotencyKey ? replays.get(idempotencyKey) : undefined
    if (replay) return structuredClone(replay)
    const answer = isAuthorize ? authorize(req) : await token(req)
    if (idempotencyKey) replays.set(idempotencyKey, structuredClone(answer))
    return answer
  }

  const server = await startFake(handle, () => false)
  tokenUrl = `${server.origin}${BASE_PATH}/oauth/token`
  return Object.assign(server, { tokens, options })
}
