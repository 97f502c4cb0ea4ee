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
  startFake,
} from './fixtures.js'

/**
 * Nutanix Prism Central v3 on 127.0.0.1, built from fixtures/nutanix.json: `/api/nutanix/v3/oauth/client…`
 * with state, behind HTTP Basic. A profile reaches it with `host: http://127.0.0.1:PORT`.
 */
export const fixture = loadFixture('nutanix')

export type NutanixClient = { client_id: string; client_name: string; client_secret: string; client_description: string; redirect_uris: string[]; default_scopes: string[] }

/** The Prism user and password behind the fixture's Basic header. */
const [USER, PASSWORD] = basicCredentials({ authorization: endpoint(fixture, 'oauth_client_post').request.headers?.Authorization }) as [string, string]
export const ADMIN = { username: USER, password: PASSWORD }
export const BASE_PATH = '/api/nutanix/v3'

const INPUT_FIELDS = ['client_name', 'redirect_uris', 'client_description', 'default_scopes']

export interface NutanixFake extends FakeServer {
  clients: Map<string, NutanixClient>
  options: {
    /** The most entities one list page returns, whatever `length` asks. */
    maxLength: number
    /** `output`: list metadata carries total_matches; `input`: it does not (the SDK's typing). Both appear in the sources. */
    metadata: 'output' | 'input'
  }
  seed(n: number): void
}

const v3Error = (status: number, message: string, reason = 'INVALID_REQUEST'): FixtureResponse =>
  json(status, { api_version: '3.1', code: status, kind: 'oauth_client', message_list: [{ message, reason }], state: 'ERROR' })

export async function startNutanixFake(): Promise<NutanixFake> {
  const clients = new Map<string, NutanixClient>()
  for (const c of fixtureBody<{ entities: NutanixClient[] }>(fixture, 'oauth_client_list_post').entities) clients.set(c.client_id, c)
  const options: NutanixFake['options'] = { maxLength: 500, metadata: 'output' }

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
    const metadata = { kind: 'oauth_client', offset: body.offset, length: entities.length, ...(options.metadata === 'output' ? { total_matches: all.length } : {}) }
    return json(200, { entities, metadata })
  }

  function handle(req: RecordedRequest): FixtureResponse {
    const credentials = basicCredentials(req.headers)
    // Bad credentials: a 401 whose body is not JSON (fixture any.unauthorized).
    if (!credentials || credentials[0] !== USER || credentials[1] !== PASSWORD) return fixtureResponse(fixture, 'any.unauthorized')
    const path = req.path.slice(BASE_PATH.length)
    if (!req.path.startsWith(BASE_PATH)) return notFound('path')
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

  const server = await startFake(handle, (req) => req.method !== 'GET' && !req.path.endsWith('/oauth/client/list'))
  return Object.assign(server, {
    clients,
    options,
    seed(n: number) {
      for (let i = 0; i < n; i++) {
        const id = randomUUID()
        clients.set(id, { client_id: id, client_name: `generated-${String(i).padStart(5, '0')}`, client_secret: `s-${id}`, client_description: '', redirect_uris: [], default_scopes: [] })
      }
    },
  })
}
