import { randomBytes, randomUUID } from 'node:crypto'
import {
  basicCredentials,
  endpoint,
  type FakeServer,
  type FixtureResponse,
  fixtureBody,
  fixtureResponse,
  json,
  loadFixture,
  type RecordedRequest,
  redirect,
  sentRawBasic,
  startFake,
} from './fixtures.js'

/**
 * Nutanix Prism Central v3 on 127.0.0.1, built from fixtures/nutanix.json: `/api/nutanix/v3/oauth/client…`
 * with state, authorize (confirm=yes|no), generate_token and revoke_token behind HTTP Basic, and
 * the token endpoint with the client's credentials in the form. A profile reaches it with
 * `host: http://127.0.0.1:PORT`.
 */
export const fixture = loadFixture('nutanix')

export type NutanixClient = { client_id: string; client_name: string; client_secret: string; client_description: string; redirect_uris: string[]; default_scopes: string[] }

/** The Prism user and password behind the fixture's Basic header. */
const [USER, PASSWORD] = basicCredentials({ authorization: endpoint(fixture, 'oauth_client_post').request.headers?.Authorization }) as [string, string]
export const ADMIN = { username: USER, password: PASSWORD }
export const BASE_PATH = '/api/nutanix/v3'

const INPUT_FIELDS = ['client_name', 'redirect_uris', 'client_description', 'default_scopes']

/** Prism's own browser sign-in: a terminal tool never calls these. */
export const BROWSER_ONLY_PATHS = ['oauth_idp_login_get', 'oauth_idp_callback_get', 'oauth_adfs_login_get'].map((id) => `${BASE_PATH}${endpoint(fixture, id).path}`)

export interface NutanixFake extends FakeServer {
  clients: Map<string, NutanixClient>
  /** Access tokens issued (and not revoked), with the client each belongs to. */
  tokens: Map<string, string>
  refreshTokens: Map<string, string>
  options: {
    /** How authorize answers confirm=yes: a redirect carrying the code (assumed), or the SDK's bare OauthStatus. */
    authorize: 'redirect' | 'status'
    /** The most entities one list page returns, whatever `length` asks. */
    maxLength: number
    /** `output`: list metadata carries total_matches; `input`: it does not (the SDK's typing). Both appear in the sources. */
    metadata: 'output' | 'input'
    /** A total_matches other than the real count (a list that shrank while being read). */
    totalMatches?: number
    /** The Prism user every call but the token endpoint's authenticates as (default: the fixture's). */
    admin: { username: string; password: string }
  }
  seed(n: number): void
}

const v3Error = (status: number, message: string, reason = 'INVALID_REQUEST'): FixtureResponse =>
  json(status, { api_version: '3.1', code: status, kind: 'oauth_client', message_list: [{ message, reason }], state: 'ERROR' })

export async function startNutanixFake(): Promise<NutanixFake> {
  const clients = new Map<string, NutanixClient>()
  for (const c of fixtureBody<{ entities: NutanixClient[] }>(fixture, 'oauth_client_list_post').entities) clients.set(c.client_id, c)
  const options: NutanixFake['options'] = { authorize: 'redirect', maxLength: 500, metadata: 'output', admin: ADMIN }
  const tokens = new Map<string, string>()
  const refreshTokens = new Map<string, string>()
  const codes = new Map<string, { clientId: string; state?: string; redirectUri?: string; scope: string }>()

  const notFound = (id: string) => {
    const res = fixtureResponse(fixture, 'oauth_client_client_id_get', 404)
    const body = res.body as { message_list: Array<{ message: string }> }
    for (const m of body.message_list) m.message = m.message.replace(/[0-9a-f-]{36}/, id)
    return res
  }

  /** OauthClientInput: all four fields required, limits from the SDK; the fixture's 422 for a long name. */
  function invalidInput(body: unknown): FixtureResponse | undefined {
    if (!body || typeof body !== 'object') return v3Error(400, 'body must be a JSON object')
    const b = body as Record<string, unknown>
    const keys = Object.keys(b)
    const wrong = keys.filter((k) => !INPUT_FIELDS.includes(k))
    const missing = INPUT_FIELDS.filter((k) => !keys.includes(k))
    if (wrong.length > 0 || missing.length > 0) return v3Error(400, `unexpected ${wrong.join(',')} missing ${missing.join(',')}`)
    if (typeof b.client_name !== 'string' || b.client_name.length > 64) return fixtureResponse(fixture, 'oauth_client_post', 422)
    if (typeof b.client_description !== 'string' || b.client_description.length > 1000) return v3Error(422, 'client_description exceeds 1000 characters')
    if (!Array.isArray(b.redirect_uris) || !Array.isArray(b.default_scopes)) return v3Error(400, 'redirect_uris and default_scopes are lists')
    return undefined
  }

  function list(req: RecordedRequest): FixtureResponse {
    const body = req.json as { kind?: unknown; offset?: unknown; length?: unknown } | undefined
    if (body?.kind !== 'oauth_client' || typeof body.offset !== 'number' || body.offset < 0 || typeof body.length !== 'number' || body.length < 1) {
      return v3Error(400, 'kind oauth_client, offset >= 0 and length >= 1 are required')
    }
    const all = [...clients.values()]
    const entities = all.slice(body.offset, body.offset + Math.min(body.length, options.maxLength))
    const metadata = { kind: 'oauth_client', offset: body.offset, length: entities.length, ...(options.metadata === 'output' ? { total_matches: options.totalMatches ?? all.length } : {}) }
    return json(200, { entities, metadata })
  }

  /** `ProviderOauthToken` (scope as a string), with tokens of our own. */
  function issue(clientId: string, scope: string): Record<string, unknown> {
    const accessToken = `nx_at_${randomBytes(12).toString('hex')}`
    const refreshToken = `nx_rt_${randomBytes(12).toString('hex')}`
    tokens.set(accessToken, clientId)
    refreshTokens.set(refreshToken, clientId)
    const ok = fixtureBody<Record<string, unknown>>(fixture, 'oauth_token_post.authorization_code', 200)
    return { ...ok, access_token: accessToken, refresh_token: refreshToken, scope }
  }

  /** The token endpoint: the client's id and secret in the form (client_secret_post); no Prism user needed. */
  function token(req: RecordedRequest): FixtureResponse {
    const form = req.form ?? {}
    const client = clients.get(form.client_id ?? '')
    if (!client || client.client_secret !== form.client_secret) return fixtureResponse(fixture, 'oauth_token_post.authorization_code', 401)
    if (form.grant_type === 'authorization_code') {
      const code = codes.get(form.code ?? '')
      if (!code || code.clientId !== client.client_id || code.state !== form.state || code.redirectUri !== form.redirect_uri) return v3Error(400, 'invalid authorization code', 'INVALID_GRANT')
      codes.delete(form.code as string)
      return json(200, issue(client.client_id, code.scope))
    }
    if (form.grant_type === 'refresh_token') {
      if (refreshTokens.get(form.refresh_token ?? '') !== client.client_id) return v3Error(400, 'invalid refresh token', 'INVALID_GRANT')
      refreshTokens.delete(form.refresh_token as string)
      return json(200, issue(client.client_id, client.default_scopes.join(' ')))
    }
    return v3Error(400, `unsupported grant_type ${form.grant_type}`, 'UNSUPPORTED_GRANT_TYPE')
  }

  /** `POST /oauth/authorize` as the Prism user: confirm=no declines; confirm=yes answers with a redirect carrying the code, or a bare OauthStatus. */
  function authorize(req: RecordedRequest): FixtureResponse {
    const form = req.form ?? {}
    const client = clients.get(form.client_id ?? '')
    if (!client || form.response_type !== 'code') return v3Error(422, 'client_id and response_type=code are required')
    if (form.confirm === 'no') return fixtureResponse(fixture, 'oauth_authorize_post.denied')
    if (form.confirm !== 'yes') return v3Error(422, 'confirm must be yes or no')
    if (options.authorize === 'status') return fixtureResponse(fixture, 'oauth_authorize_post', 200)
    const code = `nx_ac_${randomBytes(8).toString('hex')}`
    codes.set(code, { clientId: client.client_id, state: form.state, redirectUri: form.redirect_uri, scope: form.scope ?? client.default_scopes.join(' ') })
    return redirect(form.redirect_uri ?? (client.redirect_uris[0] as string), { code, ...(form.state ? { state: form.state } : {}) })
  }

  /** `OauthGenerateTokenRequest` → a new client and its first token (`OauthToken`, with scopes as a list). */
  function generate(req: RecordedRequest): FixtureResponse {
    const body = req.json as { scopes?: unknown; client_name?: unknown; client_description?: unknown; expires_in?: unknown } | undefined
    const keys = Object.keys(body ?? {})
    if (!body || keys.some((k) => !['scopes', 'client_name', 'client_description', 'expires_in'].includes(k))) return v3Error(400, `unexpected ${keys.join(',')}`)
    if (!Array.isArray(body.scopes) || body.scopes.length === 0 || typeof body.client_name !== 'string' || typeof body.client_description !== 'string') {
      return v3Error(422, 'scopes, client_name and client_description are required')
    }
    const client: NutanixClient = {
      client_id: randomUUID(),
      client_secret: randomBytes(18).toString('base64url'),
      client_name: body.client_name,
      client_description: body.client_description,
      redirect_uris: [],
      default_scopes: body.scopes as string[],
    }
    clients.set(client.client_id, client)
    const { scope: _scope, ...issued } = issue(client.client_id, client.default_scopes.join(' '))
    const template = fixtureBody<{ oauth_token: Record<string, unknown> }>(fixture, 'oauth_generate_token_post').oauth_token
    const oauthToken = { ...template, ...issued, scopes: client.default_scopes, expires_in: body.expires_in ?? template.expires_in }
    return json(200, { client_id: client.client_id, client_secret: client.client_secret, oauth_token: oauthToken })
  }

  /** `POST /oauth/revoke_token?token=…&token_type_hint=…`: the token leaves both maps. */
  function revoke(req: RecordedRequest): FixtureResponse {
    if (!req.query.token) return v3Error(422, 'token is required')
    tokens.delete(req.query.token)
    refreshTokens.delete(req.query.token)
    return fixtureResponse(fixture, 'oauth_revoke_token_post')
  }

  function handle(req: RecordedRequest): FixtureResponse {
    if (!req.path.startsWith(BASE_PATH)) return notFound('path')
    const path = req.path.slice(BASE_PATH.length)
    if (path === '/oauth/token' && req.method === 'POST') return token(req)
    // Bad credentials: a 401 whose body is not JSON (fixture any.unauthorized). The SDK's basicAuth is base64(user:password), compared byte for byte.
    if (!sentRawBasic(req.headers, options.admin.username, options.admin.password)) return fixtureResponse(fixture, 'any.unauthorized')
    if (path === '/oauth/authorize' && req.method === 'POST') return authorize(req)
    if (path === '/oauth/generate_token' && req.method === 'POST') return generate(req)
    if (path === '/oauth/revoke_token' && req.method === 'POST') return revoke(req)
    const browserOnly = fixture.endpoints.find((e) => e.method === req.method && `${BASE_PATH}${e.path}` === req.path && BROWSER_ONLY_PATHS.includes(req.path))
    if (browserOnly) return fixtureResponse(fixture, browserOnly.id)
    if (path === '/oauth/client/list' && req.method === 'POST') return list(req)
    if (path === '/oauth/client' && req.method === 'POST') {
      const invalid = invalidInput(req.json)
      if (invalid) return invalid
      const created = { ...(req.json as NutanixClient), client_id: randomUUID(), client_secret: randomBytes(18).toString('base64url') }
      clients.set(created.client_id, created)
      return json(200, created)
    }
    const id = /^\/oauth\/client\/([^/]+)$/.exec(path)?.[1]
    const client = id ? clients.get(id) : undefined
    if (!id || !client) return notFound(id ?? '')
    if (req.method === 'GET') return json(200, client)
    if (req.method === 'PUT') {
      const invalid = invalidInput(req.json)
      if (invalid) return invalid
      const updated = { ...client, ...(req.json as object) }
      clients.set(id, updated)
      return json(200, updated)
    }
    if (req.method === 'DELETE') {
      clients.delete(id)
      return json(200, client)
    }
    return notFound(id)
  }

  const server = await startFake(handle, (req) => req.path.includes('/oauth/client') && req.method !== 'GET' && !req.path.endsWith('/oauth/client/list'))
  return Object.assign(server, {
    clients,
    tokens,
    refreshTokens,
    options,
    seed(n: number) {
      for (let i = 0; i < n; i++) {
        const id = randomUUID()
        clients.set(id, { client_id: id, client_name: `generated-${String(i).padStart(5, '0')}`, client_secret: `s-${id}`, client_description: '', redirect_uris: [], default_scopes: [] })
      }
    },
  })
}
