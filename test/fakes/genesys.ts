import { randomBytes, randomUUID } from 'node:crypto'
import {
  basicCredentials,
  bearer,
  type FakeServer,
  type FixtureResponse,
  fixtureBody,
  fixtureResponse,
  json,
  loadFixture,
  type RecordedRequest,
  startFake,
} from './fixtures.js'

/**
 * Genesys Cloud on 127.0.0.1, built from fixtures/genesys.json: the login token endpoint
 * (client credentials with Basic) and `/api/v2/oauth/…` with state. Both live on one origin,
 * which a profile reaches with `region: http://127.0.0.1:PORT`.
 */
export const fixture = loadFixture('genesys')

export type GenesysClient = Record<string, unknown> & { id: string; name: string; secret: string; state: string; authorizedGrantType: string }

/** The fixture's client-credentials client: the one the admin profile authenticates as. */
const [ADMIN_ID, ADMIN_SECRET] = basicCredentials({ authorization: fixture.endpoints.find((e) => e.id === 'token.client_credentials')?.request.headers?.Authorization }) as [string, string]
export const ADMIN = { clientId: ADMIN_ID, secret: ADMIN_SECRET }

const REQUEST_FIELDS = new Set(['name', 'accessTokenValiditySeconds', 'description', 'registeredRedirectUri', 'roleIds', 'authorizedGrantType', 'scope', 'roleDivisions', 'state', 'dateToDelete'])
const GRANTS = new Set((fixture.enums as { authorizedGrantType: string[] }).authorizedGrantType)

export interface GenesysFake extends FakeServer {
  clients: Map<string, GenesysClient>
  options: {
    /** Entities per page of GET /api/v2/oauth/clients (the fixture shows 25). */
    pageSize: number
    /** How the usage query ends after one Running poll. */
    usageOutcome: 'Complete' | 'Failed'
  }
  /** Add `n` generated clients. */
  seed(n: number): void
}

const clientsPath = '/api/v2/oauth/clients'

export async function startGenesysFake(): Promise<GenesysFake> {
  const clients = new Map<string, GenesysClient>()
  for (const c of fixtureBody<{ entities: GenesysClient[] }>(fixture, 'getOauthClients').entities) clients.set(c.id, c)
  const tokens = new Set<string>()
  const polls = new Map<string, number>()
  const options: GenesysFake['options'] = { pageSize: 25, usageOutcome: 'Complete' }

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

  function token(req: RecordedRequest): FixtureResponse {
    const [id, secret] = basicCredentials(req.headers) ?? []
    const client = id ? clients.get(id) : undefined
    if (!client || client.secret !== secret) return error('token.client_credentials', 401)
    if (req.form?.grant_type !== 'client_credentials' || client.authorizedGrantType !== 'CLIENT-CREDENTIALS') return error('token.client_credentials', 400)
    const issued = `gc_at_${randomBytes(12).toString('hex')}`
    tokens.add(issued)
    const ok = fixtureResponse(fixture, 'token.client_credentials', 200)
    return { ...ok, body: { ...(ok.body as object), access_token: issued } }
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
    if (path === '/api/v2/oauth/scopes' && method === 'GET') return fixtureResponse(fixture, 'getOauthScopes')
    if (path.startsWith('/api/v2/oauth/scopes/') && method === 'GET') {
      const scope = fixtureResponse(fixture, 'getOauthScope')
      return (scope.body as { id: string }).id === path.split('/').pop() ? scope : notFound()
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

  const server = await startFake(
    (req) => (req.path === '/oauth/token' && req.method === 'POST' ? token(req) : api(req)),
    (req) => req.path.startsWith(clientsPath) && req.method !== 'GET' && !req.path.endsWith('/usage/query'),
  )
  return Object.assign(server, {
    clients,
    options,
    seed(n: number) {
      for (let i = 0; i < n; i++) {
        const id = randomUUID()
        clients.set(id, { id, name: `generated-${String(i).padStart(5, '0')}`, secret: `s-${id}`, state: 'active', authorizedGrantType: 'CODE', registeredRedirectUri: [], scope: [], dateCreated: '2025-01-10T15:04:05.000Z' })
      }
    },
  })
}
