import { randomBytes } from 'node:crypto'
import { bearer, endpoint, type FakeServer, type FixtureResponse, fixtureBody, fixtureResponse, json, loadFixture, type RecordedRequest, redirect, startFake } from './fixtures.js'

/**
 * phone.com API v4 on 127.0.0.1, built from fixtures/phonecom.json: the token endpoint (JSON body
 * or query string, 201), the authorization endpoint (302 with a code, or a token in the fragment),
 * token details (which name the account), and `/accounts/{id}/oauth/clients…` with redirect URIs,
 * with state. A profile reaches it with the token endpoint `http://127.0.0.1:PORT/v4/oauth/access-token`.
 */
export const fixture = loadFixture('phonecom')

const CC = endpoint(fixture, 'create-oauth-access-token.client_credentials').request.body?.json as { client_id: string; client_secret: string }
export const ADMIN = { clientId: CC.client_id, secret: CC.client_secret }
/** The resource owner of the fixture's password grant. */
const { username, password } = endpoint(fixture, 'create-oauth-access-token.password').request.body?.json as { username: string; password: string }
export const USER = { username, password }
/** The account the fixture's token details name (scope_details[0].voip_id). */
export const ACCOUNT = fixtureBody<{ scope_details: Array<{ voip_id: number }> }>(fixture, 'get-oauth-access-token', 200).scope_details[0]?.voip_id as number
export const TOKEN_PATH = '/v4/oauth/access-token'
export const AUTHORIZATION_PATH = '/v4/oauth/authorization'

/** `CreateOauthParams`: every field the token endpoint reads. */
const TOKEN_FIELDS = new Set(['grant_type', 'client_id', 'client_secret', 'code', 'redirect_uri', 'scope', 'username', 'password', 'refresh_token'])

interface RedirectItem {
  id: number
  redirect_uri: { id: number; redirect_uri: string }
}

interface Grant {
  scope: string
  expiresAt: number
}

export interface PhonecomFake extends FakeServer {
  clients: Map<number, { id: number; client_name: string }>
  redirects: Map<number, RedirectItem[]>
  /** Client ids whose DELETE answers the fixture's 409. */
  conflicts: Set<number>
  /** Access tokens issued, with what they grant. */
  tokens: Map<string, Grant>
  refreshTokens: Map<string, string>
  /** Token request bodies that carried fields CreateOauthParams does not have (PKCE's code_verifier is one). */
  unknownFields: string[]
  seed(n: number): void
}

export async function startPhonecomFake(): Promise<PhonecomFake> {
  const clients = new Map<number, { id: number; client_name: string }>()
  for (const c of fixtureBody<{ items: Array<{ id: number; client_name: string }> }>(fixture, 'list-account-oauth-clients').items) clients.set(c.id, c)
  const redirects = new Map<number, RedirectItem[]>()
  for (const item of fixtureBody<{ items: Array<RedirectItem & { client: { id: number } }> }>(fixture, 'list-account-oauth-clients-redirect-uris').items) {
    redirects.set(item.client.id, [...(redirects.get(item.client.id) ?? []), { id: item.id, redirect_uri: item.redirect_uri }])
  }
  const conflicts = new Set<number>()
  const tokens = new Map<string, Grant>()
  const refreshTokens = new Map<string, string>()
  const codes = new Map<string, { redirectUri: string; scope: string }>()
  const unknownFields: string[] = []
  let nextId = 5000

  const mason = (status: number, message: string, messages?: string[]): FixtureResponse =>
    json(status, { '@error': { '@httpStatusCode': status, '@message': message, ...(messages ? { '@messages': messages } : {}) } })
  const notFound = () => fixtureResponse(fixture, 'get-account-oauth-client', 404)
  const unauthorized = () => fixtureResponse(fixture, 'create-oauth-access-token.error', 401)
  const invalid = (why: string) => mason(422, 'Invalid data', [why])
  const base = `/v4/accounts/${ACCOUNT}/oauth/clients`

  function issue(scope: string, withRefresh: boolean): FixtureResponse {
    const accessToken = `pc_at_${randomBytes(12).toString('hex')}`
    tokens.set(accessToken, { scope, expiresAt: Math.floor(Date.now() / 1000) + 3600 })
    const body: Record<string, unknown> = { access_token: accessToken, token_type: 'Bearer', scope, expires_in: 3600 }
    if (withRefresh) {
      const refreshToken = `pc_rt_${randomBytes(12).toString('hex')}`
      refreshTokens.set(refreshToken, scope)
      body.refresh_token = refreshToken
    }
    return json(201, body)
  }

  /** `CreateOauthParams` as a JSON body or, per the swagger description, the same keys as a query string. A form body is neither. */
  function token(req: RecordedRequest): FixtureResponse {
    const params = (req.json ?? (Object.keys(req.query).length > 0 ? req.query : undefined)) as Record<string, string> | undefined
    if (!params || typeof params !== 'object') return fixtureResponse(fixture, 'create-oauth-access-token.error', 422)
    unknownFields.push(...Object.keys(params).filter((k) => !TOKEN_FIELDS.has(k)))
    if (!params.grant_type) return fixtureResponse(fixture, 'create-oauth-access-token.error', 422)
    if (params.client_id !== ADMIN.clientId || params.client_secret !== ADMIN.secret) return unauthorized()
    switch (params.grant_type) {
      case 'client_credentials':
        return params.scope ? issue(params.scope, false) : invalid('scope is required')
      case 'password':
        if (params.username !== USER.username || params.password !== USER.password) return mason(401, 'Invalid username or password')
        return issue(params.scope ?? 'extension-user', true)
      case 'authorization_code': {
        const code = params.code ? codes.get(params.code) : undefined
        if (!code || code.redirectUri !== params.redirect_uri) return unauthorized()
        codes.delete(params.code as string)
        return issue(code.scope, true)
      }
      case 'refresh_token': {
        const scope = params.refresh_token ? refreshTokens.get(params.refresh_token) : undefined
        if (scope === undefined) return unauthorized()
        refreshTokens.delete(params.refresh_token as string)
        return issue(scope, true)
      }
      default:
        return invalid(`grant_type ${params.grant_type} is not supported`)
    }
  }

  /** `GET /oauth/authorization`: all four parameters required; a code in the query, or (implicit) a token in the fragment. */
  function authorize(req: RecordedRequest): FixtureResponse {
    const { client_id: clientId, response_type: responseType, scope, redirect_uri: redirectUri, state = '' } = req.query
    if (!clientId || !responseType || !scope || !redirectUri) return invalid('client_id, response_type, scope and redirect_uri are required')
    if (clientId !== ADMIN.clientId) return unauthorized()
    if (responseType === 'code') {
      const code = `pc_code_${randomBytes(8).toString('hex')}`
      codes.set(code, { redirectUri, scope })
      return redirect(redirectUri, { code, state })
    }
    if (responseType !== 'token') return invalid('response_type must be code or token')
    const issued = issue(scope, false).body as Record<string, string>
    return redirect(redirectUri, { access_token: issued.access_token as string, token_type: 'Bearer', expires_in: '3600', state }, 'fragment')
  }

  function details(token: string): FixtureResponse {
    const grant = tokens.get(token) as Grant
    const ok = fixtureResponse(fixture, 'get-oauth-access-token', 200)
    const body = ok.body as { scope: string; expires_at: number; scope_details: unknown[] }
    return { ...ok, body: { ...body, scope: grant.scope, expires_at: grant.expiresAt, scope_details: grant.scope.split(' ').includes('account-owner') ? body.scope_details : [] } }
  }

  const page = <T>(req: RecordedRequest, items: T[]) => {
    const limit = Number(req.query.limit ?? 25)
    const offset = Number(req.query.offset ?? 0)
    return json(200, { filters: { id: null }, sort: { id: 'asc' }, total: items.length, offset, limit, items: items.slice(offset, offset + limit) })
  }

  function handle(req: RecordedRequest): FixtureResponse {
    if (req.path === TOKEN_PATH && req.method === 'POST') return token(req)
    if (req.path === AUTHORIZATION_PATH && req.method === 'GET') return authorize(req)
    const presented = bearer(req.headers)
    if (!presented || !tokens.has(presented)) return fixtureResponse(fixture, 'get-oauth-access-token', 401)
    if (req.path === TOKEN_PATH && req.method === 'GET') return details(presented)
    if (!req.path.startsWith(base)) return mason(403, 'Forbidden')
    if (req.path === base && req.method === 'GET') return page(req, [...clients.values()])
    const match = /^\/(\d+)(\/redirect-uris)?(?:\/(\d+))?$/.exec(req.path.slice(base.length))
    const client = match?.[1] ? clients.get(Number(match[1])) : undefined
    if (!match || !client) return notFound()
    const uris = redirects.get(client.id) ?? []
    if (!match[2]) {
      if (req.method === 'GET') return json(200, client)
      if (req.method === 'DELETE') {
        if (conflicts.has(client.id)) return fixtureResponse(fixture, 'delete-account-oauth-client', 409)
        clients.delete(client.id)
        redirects.delete(client.id)
        return fixtureResponse(fixture, 'delete-account-oauth-client', 200)
      }
    } else if (!match[3]) {
      if (req.method === 'GET') return page(req, uris.map((u) => ({ ...u, client })))
      if (req.method === 'POST') {
        const body = req.json as Record<string, unknown> | undefined
        if (!body || Object.keys(body).join() !== 'redirect_uri' || typeof body.redirect_uri !== 'string') return invalid('redirect_uri is required')
        const item = { id: nextId++, redirect_uri: { id: nextId++, redirect_uri: body.redirect_uri } }
        redirects.set(client.id, [...uris, item])
        return json(201, { ...item, client })
      }
    } else if (req.method === 'DELETE') {
      const id = Number(match[3])
      if (!uris.some((u) => u.id === id)) return notFound()
      redirects.set(
        client.id,
        uris.filter((u) => u.id !== id),
      )
      return fixtureResponse(fixture, 'delete-account-oauth-clients-redirect-uri', 200)
    }
    return mason(405, 'Method Not Allowed')
  }

  const server = await startFake(handle, (req) => req.path.startsWith('/v4/accounts/') && req.method !== 'GET')
  return Object.assign(server, {
    clients,
    redirects,
    conflicts,
    tokens,
    refreshTokens,
    unknownFields,
    seed(n: number) {
      for (let i = 0; i < n; i++) clients.set(nextId, { id: nextId++, client_name: `generated-${String(i).padStart(5, '0')}` })
    },
  })
}
