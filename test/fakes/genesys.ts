import { createHash, randomBytes, randomUUID } from 'node:crypto'
import {
  basicCredentials,
  bearer,
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
import { afterEach, beforeEach, expect } from 'vitest'
import { isolated, type Sandboxed } from '../helpers/cli.js'

/**
 * Genesys Cloud on 127.0.0.1, built from fixtures/genesys.json: the login host's token endpoint
 * (client credentials, code with Basic or PKCE, refresh, SAML2 bearer) and authorize endpoint
 * (code, or a token in the fragment); the API's `/api/v2/tokens/me` and `/api/v2/oauth/…` with
 * state. Both live on one origin, which a profile reaches with `region: http://127.0.0.1:PORT`.
 */
export const fixture = loadFixture('genesys')

export type GenesysClient = Record<string, unknown> & { id: string; name: string; secret: string; state: string; authorizedGrantType: string }

/** The fixture's client-credentials client: the one the admin profile authenticates as. */
const [ADMIN_ID, ADMIN_SECRET] = basicCredentials({ authorization: fixture.endpoints.find((e) => e.id === 'token.client_credentials')?.request.headers?.Authorization }) as [string, string]
export const ADMIN = { clientId: ADMIN_ID, secret: ADMIN_SECRET }
/** The fixture's code client (PKCE when it sends no secret) and its implicit client. */
export const CODE_CLIENT = (endpoint(fixture, 'token.pkce').request.body?.form as { client_id: string }).client_id
export const IMPLICIT_CLIENT = (endpoint(fixture, 'authorize.implicit').request.query as { client_id: string }).client_id
/** The SAML2 bearer request of the fixture: its orgName and (base64url) assertion. */
export const SAML = endpoint(fixture, 'token.saml2bearer').request.body?.form as { orgName: string; assertion: string }
const SAML2_BEARER = 'urn:ietf:params:oauth:grant-type:saml2-bearer'

const REQUEST_FIELDS = new Set(['name', 'accessTokenValiditySeconds', 'description', 'registeredRedirectUri', 'roleIds', 'authorizedGrantType', 'scope', 'roleDivisions', 'state', 'dateToDelete'])
const GRANTS = new Set((fixture.enums as { authorizedGrantType: string[] }).authorizedGrantType)

export interface GenesysFake extends FakeServer {
  clients: Map<string, GenesysClient>
  /** Access tokens issued, and the client each was issued to. */
  tokens: Map<string, string>
  options: {
    /** Entities per page of GET /api/v2/oauth/clients (the fixture shows 25). */
    pageSize: number
    /** How the usage query ends after one Running poll. */
    usageOutcome: 'Complete' | 'Failed'
    /** The user refuses at the authorization endpoint. */
    deny: boolean
    /** Milliseconds each page of GET /api/v2/oauth/clients takes: a slow listing. */
    pageDelayMs: number
  }
  /** Add `n` generated clients. */
  seed(n: number): void
}

const clientsPath = '/api/v2/oauth/clients'

/** German scope descriptions (invented), served for an Accept-Language that asks for German: the API's only language parameter is that header. */
const GERMAN: Record<string, string> = {
  'users:readonly': 'Lesezugriff auf Benutzer (erfundener Text)',
  'oauth:readonly': 'Lesezugriff auf OAuth-Clients (erfundener Text)',
}
const localise = <T extends { id: string; description: string }>(scope: T, req: RecordedRequest): T =>
  /^de\b/i.test(String(req.headers['accept-language'] ?? '')) && GERMAN[scope.id] ? { ...scope, description: GERMAN[scope.id] as string } : scope

export async function startGenesysFake(): Promise<GenesysFake> {
  const clients = new Map<string, GenesysClient>()
  for (const c of fixtureBody<{ entities: GenesysClient[] }>(fixture, 'getOauthClients').entities) clients.set(c.id, c)
  const tokens = new Map<string, string>()
  const refreshTokens = new Map<string, string>()
  const codes = new Map<string, { clientId: string; redirectUri: string; challenge?: string }>()
  const polls = new Map<string, number>()
  const options: GenesysFake['options'] = { pageSize: 25, usageOutcome: 'Complete', deny: false, pageDelayMs: 0 }

  const error = (id: string, status: number) => fixtureResponse(fixture, id, status)
  const notFound = () => error('getOauthClient', 404)
  const badRequest = (message: string, code = 'bad.request'): FixtureResponse => json(400, { message, code, status: 400, contextId: 'fake', details: [], errors: [] })

  /** Check an OAuthClientRequest as Genesys would: required fields, known fields, enum and range. */
  function invalidRequest(body: unknown): FixtureResponse | undefined {
    if (!body || typeof body !== 'object') return badRequest('body must be a JSON object')
    const b = body as Record<string, unknown>
    const unknown = Object.keys(b).filter((k) => !REQUEST_FIELDS.has(k))
    if (unknown.length > 0) return badRequest(`unknown properties ${unknown.join(', ')}`, 'invalid.property')
    if (typeof b.name !== 'string' || typeof b.authorizedGrantType !== 'string') return badRequest('name and authorizedGrantType are required')
    if (!GRANTS.has(b.authorizedGrantType)) return badRequest(`authorizedGrantType ${b.authorizedGrantType}`, 'invalid.value')
    const ttl = b.accessTokenValiditySeconds
    if (ttl !== undefined && (typeof ttl !== 'number' || ttl < 300 || ttl > 172_800)) return error('postOauthClients', 400)
    return undefined
  }

  const stamp = (c: GenesysClient) => ({ ...c, selfUri: `${clientsPath}/${c.id}` })

  /** The token endpoint's error shape (Go SDK `AuthErrorResponse`): RFC 6749's fields plus `description`. */
  const tokenError = (code: string, description: string) => json(400, { error: code, description, error_description: description })

  /** The fixture's success body for `id`, with tokens of our own (and a refresh token where the grant gives one). */
  function issue(id: string, clientId: string, withRefresh: boolean): FixtureResponse {
    const accessToken = `gc_at_${randomBytes(12).toString('hex')}`
    tokens.set(accessToken, clientId)
    const ok = fixtureResponse(fixture, id, 200)
    const body: Record<string, unknown> = { ...(ok.body as object), access_token: accessToken }
    delete body.refresh_token
    if (withRefresh) {
      const refreshToken = `gc_rt_${randomBytes(12).toString('hex')}`
      refreshTokens.set(refreshToken, clientId)
      body.refresh_token = refreshToken
    }
    return { ...ok, body }
  }

  /** Basic for confidential clients; a PKCE exchange instead names its client in the body and proves the verifier. */
  function token(req: RecordedRequest): FixtureResponse {
    const form = req.form ?? {}
    if (!req.headers.authorization) {
      if (form.grant_type !== 'authorization_code' || !form.code_verifier) return error('token.client_credentials', 401)
      const code = codes.get(form.code ?? '')
      const challenge = createHash('sha256').update(form.code_verifier).digest('base64url')
      if (!code || code.clientId !== form.client_id || code.redirectUri !== form.redirect_uri || code.challenge !== challenge) return tokenError('invalid_grant', 'authorization code or code verifier is invalid')
      codes.delete(form.code as string)
      return issue('token.pkce', code.clientId, false)
    }
    // The client whose base64(id:secret) is the header, byte for byte: Genesys decodes nothing inside it.
    const client = [...clients.values()].find((c) => sentRawBasic(req.headers, c.id, c.secret))
    if (!client) return error('token.client_credentials', 401)
    const id = client.id
    switch (form.grant_type) {
      case 'client_credentials':
        return client.authorizedGrantType === 'CLIENT-CREDENTIALS' ? issue('token.client_credentials', id, false) : error('token.client_credentials', 400)
      case SAML2_BEARER: {
        // RFC 7522: the assertion is base64url-encoded SAML XML.
        const xml = Buffer.from(form.assertion ?? '', 'base64url').toString('utf8')
        if (!xml.startsWith('<') || form.orgName !== SAML.orgName) return tokenError('invalid_grant', 'SAML assertion or organization is invalid')
        return issue('token.saml2bearer', id, false)
      }
      case 'authorization_code': {
        const code = codes.get(form.code ?? '')
        // A confidential client may use PKCE too: then the verifier must match.
        const proven = !code?.challenge || code.challenge === createHash('sha256').update(form.code_verifier ?? '').digest('base64url')
        if (!code || code.clientId !== id || code.redirectUri !== form.redirect_uri || !proven) return tokenError('invalid_grant', 'authorization code is invalid')
        codes.delete(form.code as string)
        return issue('token.authorization_code', id, true)
      }
      case 'refresh_token': {
        if (refreshTokens.get(form.refresh_token ?? '') !== id) return error('token.refresh_token', 400)
        refreshTokens.delete(form.refresh_token as string)
        return issue('token.refresh_token', id, true)
      }
      default:
        return error('token.client_credentials', 400)
    }
  }

  /** `GET /oauth/authorize`: a code in the query (with its PKCE challenge kept), or an implicit token in the fragment. */
  function authorize(req: RecordedRequest): FixtureResponse {
    const { client_id: clientId = '', redirect_uri: redirectUri, response_type: responseType, state = '' } = req.query
    const client = clients.get(clientId)
    if (!client || !redirectUri) return badRequest('unknown client or no redirect_uri')
    // The fixture's refusal: the error in the hash (implicit) or the query (code).
    if (options.deny) return redirect(redirectUri, { error: 'access_denied', error_description: 'user denied', state }, responseType === 'token' ? 'fragment' : 'query')
    if (responseType === 'token' && client.authorizedGrantType === 'TOKEN') {
      const issued = issue('token.client_credentials', clientId, false).body as { access_token: string; expires_in: number }
      return redirect(redirectUri, { access_token: issued.access_token, expires_in: String(issued.expires_in), token_type: 'bearer', state }, 'fragment')
    }
    if (responseType !== 'code' || client.authorizedGrantType !== 'CODE') return redirect(redirectUri, { error: 'unsupported_response_type', state })
    if (req.query.code_challenge && req.query.code_challenge_method !== 'S256') return redirect(redirectUri, { error: 'invalid_request', state })
    const code = `gc_code_${randomBytes(8).toString('hex')}`
    codes.set(code, { clientId, redirectUri, challenge: req.query.code_challenge })
    return redirect(redirectUri, { code, state })
  }

  /** `/api/v2/tokens/me`: what the calling token is (GET), or its revocation (DELETE). */
  function tokensMe(req: RecordedRequest, token: string): FixtureResponse {
    if (req.method === 'DELETE') {
      tokens.delete(token)
      return { status: 200 }
    }
    const info = fixtureResponse(fixture, 'getTokensMe')
    const body = info.body as { OAuthClient: Record<string, unknown> }
    const client = clients.get(tokens.get(token) ?? '')
    return { ...info, body: { ...body, OAuthClient: { ...body.OAuthClient, id: client?.id, name: client?.name, authorizedGrantType: client?.authorizedGrantType } } }
  }

  function page(req: RecordedRequest): FixtureResponse {
    const size = Number(req.query.pageSize ?? options.pageSize)
    const number = Number(req.query.pageNumber ?? 1)
    const all = [...clients.values()]
    const pageCount = Math.max(1, Math.ceil(all.length / size))
    const uri = (n: number) => `${clientsPath}?pageSize=${size}&pageNumber=${n}`
    return json(200, {
      entities: all.slice((number - 1) * size, number * size).map(stamp),
      pageSize: size,
      pageNumber: number,
      total: all.length,
      pageCount,
      firstUri: uri(1),
      lastUri: uri(pageCount),
      selfUri: uri(number),
      ...(number < pageCount ? { nextUri: uri(number + 1) } : {}),
      ...(number > 1 ? { previousUri: uri(number - 1) } : {}),
    })
  }

  function api(req: RecordedRequest): FixtureResponse {
    const token = bearer(req.headers)
    if (!token || !tokens.has(token)) return error('unauthorized', 401)
    const { method, path } = req
    if (path === '/api/v2/tokens/me' && (method === 'GET' || method === 'DELETE')) return tokensMe(req, token)
    if (path === '/api/v2/oauth/scopes' && method === 'GET') {
      const listing = fixtureResponse(fixture, 'getOauthScopes')
      const body = listing.body as { entities: Array<{ id: string; description: string }> }
      return { ...listing, body: { ...body, entities: body.entities.map((e) => localise(e, req)) } }
    }
    if (path.startsWith('/api/v2/oauth/scopes/') && method === 'GET') {
      const scope = fixtureResponse(fixture, 'getOauthScope')
      const body = scope.body as { id: string; description: string }
      return body.id === path.split('/').pop() ? { ...scope, body: localise(body, req) } : notFound()
    }
    if (path === '/api/v2/oauth/authorizations' && method === 'GET') return fixtureResponse(fixture, 'getOauthAuthorizations')
    if (path.startsWith('/api/v2/oauth/authorizations/') && method === 'GET') {
      const auth = fixtureResponse(fixture, 'getOauthAuthorization')
      return (auth.body as { client: { id: string } }).client.id === path.split('/').pop() ? auth : notFound()
    }
    if (path === clientsPath && method === 'GET') return page(req)
    if (path === clientsPath && method === 'POST') {
      const invalid = invalidRequest(req.json)
      if (invalid) return invalid
      const body = req.json as Partial<GenesysClient>
      const now = new Date().toISOString()
      const created = {
        registeredRedirectUri: [],
        roleIds: [],
        scope: [],
        roleDivisions: [],
        ...body,
        state: body.state ?? 'active',
        id: randomUUID(),
        secret: randomBytes(24).toString('base64url'),
        dateCreated: now,
        dateModified: now,
      } as GenesysClient
      clients.set(created.id, created)
      return json(200, stamp(created))
    }
    const match = /^\/api\/v2\/oauth\/clients\/([^/]+)(\/.*)?$/.exec(path)
    const client = match?.[1] ? clients.get(match[1]) : undefined
    const rest = match?.[2] ?? ''
    if (!match || !client) return notFound()
    if (rest === '' && method === 'GET') return json(200, stamp(client))
    if (rest === '' && method === 'PUT') {
      const invalid = invalidRequest(req.json)
      if (invalid) return invalid
      const updated = { ...client, ...(req.json as object), dateModified: new Date().toISOString() } as GenesysClient
      clients.set(client.id, updated)
      return json(200, stamp(updated))
    }
    if (rest === '' && method === 'DELETE') {
      if (client.state !== 'inactive') return error('deleteOauthClient', 400)
      clients.delete(client.id)
      return { status: 204 }
    }
    if (rest === '/secret' && method === 'POST') {
      client.secret = randomBytes(24).toString('base64url')
      return json(200, stamp(client))
    }
    if (rest === '/usage/query' && method === 'POST') {
      const executionId = randomUUID()
      polls.set(executionId, 0)
      return json(200, { executionId, resultsUri: `${clientsPath}/${client.id}/usage/query/results/${executionId}` })
    }
    const results = /^\/usage\/query\/results\/(.+)$/.exec(rest)
    if (results?.[1] && method === 'GET' && polls.has(results[1])) {
      const count = (polls.get(results[1]) ?? 0) + 1
      polls.set(results[1], count)
      const [running, complete, failed] = fixture.endpoints.find((e) => e.id === 'getOauthClientUsageQueryResult.poll')?.responses ?? []
      return structuredClone((count === 1 ? running : options.usageOutcome === 'Complete' ? complete : failed) as FixtureResponse)
    }
    return notFound()
  }

  const slowPage = async (req: RecordedRequest) => {
    if (options.pageDelayMs > 0 && req.path === clientsPath && req.method === 'GET') await new Promise((resolve) => setTimeout(resolve, options.pageDelayMs))
    return api(req)
  }
  const server = await startFake(
    (req) => (req.path === '/oauth/token' && req.method === 'POST' ? token(req) : req.path === '/oauth/authorize' && req.method === 'GET' ? authorize(req) : slowPage(req)),
    (req) => req.path.startsWith(clientsPath) && req.method !== 'GET' && !req.path.endsWith('/usage/query'),
  )
  return Object.assign(server, {
    clients,
    tokens,
    options,
    seed(n: number) {
      for (let i = 0; i < n; i++) {
        const id = randomUUID()
        clients.set(id, { id, name: `generated-${String(i).padStart(5, '0')}`, secret: `s-${id}`, state: 'active', authorizedGrantType: 'CODE', registeredRedirectUri: [], scope: [], dateCreated: '2025-01-10T15:04:05.000Z' })
      }
    },
  })
}

/** A fresh fake and HOME for each test, with profile `gc` on the fake authenticating as the fixture's admin client. */
export function useGenesysAdmin(set: (fake: GenesysFake, t: Sandboxed) => void): void {
  let fake: GenesysFake | undefined
  let t: Sandboxed | undefined
  beforeEach(async () => {
    fake = await startGenesysFake()
    t = await isolated()
    const added = await t.run(
      ['profiles', 'add', 'gc', '--provider', 'genesys', '--region', fake.origin, '--token-endpoint', `${fake.origin}/oauth/token`, '--client-id', ADMIN.clientId, '--client-secret-stdin'],
      { stdin: ADMIN.secret },
    )
    expect(added, added.stderr).toMatchObject({ code: 0 })
    set(fake, t)
  })
  afterEach(async () => {
    await t?.cleanup()
    await fake?.close()
  })
}
