import { readFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'

/**
 * Vendor fixtures (test/fixtures/vendors: every value invented, shapes from the vendors' published
 * references) and a small recording HTTP server the vendor fakes are built on.
 */
export const FIXTURES_DIR = resolve(import.meta.dirname, '../fixtures/vendors')

export interface FixtureResponse {
  status: number
  headers?: Record<string, string>
  body?: unknown
  note?: string
}

export interface FixtureEndpoint {
  id: string
  method: string
  path: string
  request: { headers?: Record<string, string>; query?: Record<string, unknown>; body?: { contentType: string; json?: unknown; form?: Record<string, string> } }
  responses: FixtureResponse[]
}

export interface Fixture {
  vendor: string
  endpoints: FixtureEndpoint[]
  [key: string]: unknown
}

export function loadFixture(name: 'genesys' | 'nutanix' | 'phonecom' | 'persona' | 'apimatic'): Fixture {
  return JSON.parse(readFileSync(resolve(FIXTURES_DIR, `${name}.json`), 'utf8')) as Fixture
}

export function endpoint(fixture: Fixture, id: string): FixtureEndpoint {
  const found = fixture.endpoints.find((e) => e.id === id)
  if (!found) throw new Error(`fixture ${fixture.vendor} has no endpoint ${id}`)
  return found
}

/** A deep copy of one response of an endpoint: the first with `status`, or the first. */
export function fixtureResponse(fixture: Fixture, id: string, status?: number): FixtureResponse {
  const responses = endpoint(fixture, id).responses
  const found = status === undefined ? responses[0] : responses.find((r) => r.status === status)
  if (!found) throw new Error(`fixture ${fixture.vendor} ${id} has no ${status} response`)
  return structuredClone(found)
}

/** The body of a fixture response, typed by the caller. */
export const fixtureBody = <T>(fixture: Fixture, id: string, status?: number) => fixtureResponse(fixture, id, status).body as T

export interface RecordedRequest {
  method: string
  /** Decoded path, without the query. */
  path: string
  /** The path as sent, percent-encoding kept. */
  rawPath: string
  query: Record<string, string>
  headers: IncomingHttpHeaders
  contentType?: string
  body: string
  /** The body parsed as JSON or as a form, when it is one. */
  json?: unknown
  form?: Record<string, string>
}

export type Handler = (req: RecordedRequest) => FixtureResponse | Promise<FixtureResponse>

export interface FakeServer {
  /** `http://127.0.0.1:PORT`. */
  origin: string
  requests: RecordedRequest[]
  /** Requests that change state (as the fake defines them). */
  writes(): RecordedRequest[]
  /** The next request matching `match` gets `response` instead of the normal answer. */
  inject(response: FixtureResponse, match?: (req: RecordedRequest) => boolean): void
  /** Forget recorded requests (state stays). */
  clearLog(): void
  close(): Promise<void>
}

/** A loopback server that records every request, answers through `handler`, and serves injected responses first. */
export async function startFake(handler: Handler, isWrite: (req: RecordedRequest) => boolean): Promise<FakeServer> {
  const requests: RecordedRequest[] = []
  const injected: Array<{ response: FixtureResponse; match: (req: RecordedRequest) => boolean }> = []
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    const url = new URL(req.url ?? '/', 'http://fake')
    const contentType = req.headers['content-type']
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(url.pathname),
      rawPath: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      contentType,
      body,
      json: contentType?.includes('json') && body ? safeJson(body) : undefined,
      form: contentType?.includes('x-www-form-urlencoded') ? Object.fromEntries(new URLSearchParams(body)) : undefined,
    }
    requests.push(recorded)
    const i = injected.findIndex((x) => x.match(recorded))
    let answer: FixtureResponse
    try {
      answer = i >= 0 ? (injected.splice(i, 1)[0] as { response: FixtureResponse }).response : await handler(recorded)
    } catch (err) {
      answer = { status: 500, headers: { 'Content-Type': 'text/plain' }, body: `fake failed: ${(err as Error).message}` }
    }
    const text = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body)
    res.writeHead(answer.status, answer.headers ?? {})
    res.end(text)
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    writes: () => requests.filter(isWrite),
    inject: (response, match = () => true) => injected.push({ response, match }),
    clearLog: () => {
      requests.length = 0
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections()
        server.close(() => done())
      }),
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): FixtureResponse => ({
  status,
  headers: { 'Content-Type': 'application/json', ...headers },
  body,
})

/**
 * `Authorization: Basic …` decoded into [user, password] as the vendors read it: base64, then split
 * at the first colon, nothing URL-decoded. A form-encoded header (`%2D` for `-`) does not match.
 */
export function basicCredentials(headers: IncomingHttpHeaders): [string, string] | undefined {
  const match = /^Basic (.+)$/i.exec(headers.authorization ?? '')
  if (!match?.[1]) return undefined
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon < 0 ? undefined : [decoded.slice(0, colon), decoded.slice(colon + 1)]
}

/** The header the vendors' SDKs send: `Basic base64(id:secret)` over the UTF-8 bytes, nothing encoded. */
export const rawBasic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`, 'utf8').toString('base64')}`

/** Whether the request's Authorization header is exactly `rawBasic(id, secret)`, byte for byte, as the real service compares it. */
export const sentRawBasic = (headers: IncomingHttpHeaders, id: string, secret: string) => headers.authorization === rawBasic(id, secret)

export const bearer = (headers: IncomingHttpHeaders) => /^Bearer (.+)$/i.exec(headers.authorization ?? '')?.[1]

/** A 302 to `target` with `params` in its query (code flow) or fragment (implicit), as an authorization endpoint answers. */
export function redirect(target: string, params: Record<string, string>, mode: 'query' | 'fragment' = 'query'): FixtureResponse {
  const url = new URL(target)
  const encoded = new URLSearchParams(params)
  if (mode === 'query') for (const [k, v] of encoded) url.searchParams.set(k, v)
  else url.hash = encoded.toString()
  return { status: 302, headers: { Location: url.href } }
}

/** A JWT-shaped token (unsigned, `alg: none`): `token inspect` decodes it like the vendors' own. */
export function jwtShaped(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`
}
