import { randomBytes } from 'node:crypto'
import { basicCredentials, bearer, endpoint, type FakeServer, type FixtureResponse, fixtureBody, fixtureResponse, json, loadFixture, type RecordedRequest, startFake } from './fixtures.js'

/**
 * phone.com API v4 on 127.0.0.1, built from fixtures/phonecom.json: the token endpoint, token
 * details (which name the account), and `/accounts/{id}/oauth/clients…` with redirect URIs, with
 * state. A profile reaches it with the token endpoint `http://127.0.0.1:PORT/v4/oauth/access-token`.
 */
export const fixture = loadFixture('phonecom')

const CC = endpoint(fixture, 'create-oauth-access-token.client_credentials').request.body?.json as { client_id: string; client_secret: string }
export const ADMIN = { clientId: CC.client_id, secret: CC.client_secret }
/** The account the fixture's token details name (scope_details[0].voip_id). */
export const ACCOUNT = fixtureBody<{ scope_details: Array<{ voip_id: number }> }>(fixture, 'get-oauth-access-token', 200).scope_details[0]?.voip_id as number

interface RedirectItem {
  id: number
  redirect_uri: { id: number; redirect_uri: string }
}

export interface PhonecomFake extends FakeServer {
  clients: Map<number, { id: number; client_name: string }>
  redirects: Map<number, RedirectItem[]>
  /** Client ids whose DELETE answers the fixture's 409. */
  conflicts: Set<number>
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
  const tokens = new Set<string>()
  let nextId = 5000

  const mason = (status: number, message: string): FixtureResponse => json(status, { '@error': { '@httpStatusCode': status, '@message': message } })
  const notFound = () => fixtureResponse(fixture, 'get-account-oauth-client', 404)
  const base = `/v4/accounts/${ACCOUNT}/oauth/clients`

  /**
   * The fixture's JSON body (201) and, because the token layer under test is not this fake's
   * concern, the RFC 6749 form with Basic that oauthctl's generic client-credentials grant sends (200).
   */
  function token(req: RecordedRequest): FixtureResponse {
    const fromJson = req.json as { client_id?: string; client_secret?: string; grant_type?: string } | undefined
    const [id, secret] = fromJson ? [fromJson.client_id, fromJson.client_secret] : (basicCredentials(req.headers) ?? [])
    const grant = fromJson?.grant_type ?? req.form?.grant_type
    if (id !== ADMIN.clientId || secret !== ADMIN.secret || grant !== 'client_credentials') return fixtureResponse(fixture, 'create-oauth-access-token.error', 401)
    const issued = `pc_at_${randomBytes(12).toString('hex')}`
    tokens.add(issued)
    const ok = fixtureResponse(fixture, 'create-oauth-access-token.client_credentials', 201)
    return { ...ok, status: fromJson ? 201 : 200, body: { ...(ok.body as object), access_token: issued } }
  }

  const page = <T>(req: RecordedRequest, items: T[]) => {
    const limit = Number(req.query.limit ?? 25)
    const offset = Number(req.query.offset ?? 0)
    return json(200, { filters: { id: null }, sort: { id: 'asc' }, total: items.length, offset, limit, items: items.slice(offset, offset + limit) })
  }

  function handle(req: RecordedRequest): FixtureResponse {
    if (req.path === '/v4/oauth/access-token' && req.method === 'POST') return token(req)
    const presented = bearer(req.headers)
    if (!presented || !tokens.has(presented)) return fixtureResponse(fixture, 'get-oauth-access-token', 401)
    if (req.path === '/v4/oauth/access-token' && req.method === 'GET') return fixtureResponse(fixture, 'get-oauth-access-token', 200)
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
        if (!body || Object.keys(body).join() !== 'redirect_uri' || typeof body.redirect_uri !== 'string') {
          return json(422, { '@error': { '@httpStatusCode': 422, '@message': 'Invalid data', '@messages': ['redirect_uri is required'] } })
        }
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
    seed(n: number) {
      for (let i = 0; i < n; i++) clients.set(nextId, { id: nextId++, client_name: `generated-${String(i).padStart(5, '0')}` })
    },
  })
}
