import { MockAgent } from 'undici'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { CliError, OAuthError } from '../../src/lib/errors.js'
import { HttpClient, type HttpClientOptions } from '../../src/lib/http/client.js'
import { checkJson, errorFromResponse, parseJson, readJson } from '../../src/lib/http/response.js'
import { parseRetryAfter, retryDelayMs } from '../../src/lib/http/retry.js'
import { recordingProgress } from '../helpers/progress.js'

const ORIGIN = 'https://as.example.test'
const JSON_HEADERS = { 'content-type': 'application/json' }
const HTML_HEADERS = { 'content-type': 'text/html; charset=utf-8' }

let agent: MockAgent
let sleeps: number[]

/** A client on the MockAgent that records the waits it asks for instead of sleeping. */
function client(options: HttpClientOptions = {}): HttpClient {
  return new HttpClient({
    dispatcher: agent,
    retryBaseMs: 100,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms)
    },
    ...options,
  })
}

const pool = () => agent.get(ORIGIN)

beforeEach(() => {
  agent = new MockAgent()
  agent.disableNetConnect()
  sleeps = []
})

afterEach(async () => {
  vi.useRealTimers()
  try {
    agent.assertNoPendingInterceptors()
  } finally {
    await agent.close()
  }
})

describe('HttpClient retries', () => {
  it('retries a GET after a 503 and returns the success, after one jittered backoff', async () => {
    pool().intercept({ path: '/jwks', method: 'GET' }).reply(503, 'busy')
    pool().intercept({ path: '/jwks', method: 'GET' }).reply(200, { keys: [] }, { headers: JSON_HEADERS })
    const http = client()

    const res = await http.request({ method: 'GET', url: `${ORIGIN}/jwks` })

    expect(res.status).toBe(200)
    expect(readJson(res, 'jwks')).toEqual({ keys: [] })
    expect(http.requestsSent).toBe(2)
    // attempt 1, base 100 ms, random 0.5: ceiling 100 → 50 + 0.5 * 50 = 75
    expect(sleeps).toEqual([75])
  })

  it('doubles the backoff ceiling per attempt and gives up after maxAttempts', async () => {
    pool().intercept({ path: '/jwks', method: 'GET' }).reply(503, 'busy').times(3)
    const http = client({ random: () => 1 })

    const res = await http.request({ method: 'GET', url: `${ORIGIN}/jwks` })

    expect(res.status).toBe(503)
    expect(http.requestsSent).toBe(3)
    expect(sleeps).toEqual([100, 200])
  })

  it('honours Retry-After given in seconds', async () => {
    pool().intercept({ path: '/token', method: 'POST' }).reply(429, '', { headers: { 'retry-after': '7' } })
    pool().intercept({ path: '/token', method: 'POST' }).reply(200, { access_token: 'a' }, { headers: JSON_HEADERS })
    const http = client()

    const res = await http.request({ method: 'POST', url: `${ORIGIN}/token`, body: 'x=1', retry: 'safe' })

    expect(res.status).toBe(200)
    expect(http.requestsSent).toBe(2)
    expect(sleeps).toEqual([7000])
  })

  it('honours Retry-After given as an HTTP-date', async () => {
    const now = Date.UTC(2030, 0, 15, 12, 0, 0)
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(now)
    const retryAt = new Date(now + 12_000).toUTCString()
    pool().intercept({ path: '/userinfo', method: 'GET' }).reply(503, '', { headers: { 'retry-after': retryAt } })
    pool().intercept({ path: '/userinfo', method: 'GET' }).reply(200, { sub: 'u1' }, { headers: JSON_HEADERS })
    const http = client()

    const res = await http.request({ method: 'GET', url: `${ORIGIN}/userinfo` })

    expect(res.status).toBe(200)
    expect(http.requestsSent).toBe(2)
    expect(sleeps).toEqual([12_000])
  })

  it('does not wait for a Retry-After longer than maxRetryWaitMs: the 429 is returned', async () => {
    pool().intercept({ path: '/jwks', method: 'GET' }).reply(429, { error: 'slow_down' }, { headers: { ...JSON_HEADERS, 'retry-after': '120' } })
    const http = client({ maxRetryWaitMs: 30_000 })

    const res = await http.request({ method: 'GET', url: `${ORIGIN}/jwks` })

    expect(res.status).toBe(429)
    expect(res.headers['retry-after']).toBe('120')
    expect(http.requestsSent).toBe(1)
    expect(sleeps).toEqual([])
    expect(errorFromResponse(res, 'jwks')).toMatchObject({ kind: 'network', exitCode: 5, code: 'http_429', httpStatus: 429 })
  })

  it('does not retry a 400 invalid_grant even for retry: safe, and reads it as an OAuthError', async () => {
    pool()
      .intercept({ path: '/token', method: 'POST' })
      .reply(400, { error: 'invalid_grant', error_description: 'refresh token expired' }, { headers: JSON_HEADERS })
    const http = client()

    const res = await http.request({ method: 'POST', url: `${ORIGIN}/token`, body: 'grant_type=refresh_token', retry: 'safe' })

    expect(res.status).toBe(400)
    expect(http.requestsSent).toBe(1)
    expect(sleeps).toEqual([])
    const err = errorFromResponse(res, 'token endpoint')
    expect(err).toBeInstanceOf(OAuthError)
    expect(err).toMatchObject({
      kind: 'server_refused',
      exitCode: 4,
      error: 'invalid_grant',
      code: 'invalid_grant',
      errorDescription: 'refresh token expired',
      httpStatus: 400,
    })
  })

  it('does not retry a POST on 503 with retry: auto', async () => {
    pool().intercept({ path: '/clients', method: 'POST' }).reply(503, 'busy')
    const http = client()

    const res = await http.request({ method: 'POST', url: `${ORIGIN}/clients`, body: '{}', retry: 'auto' })

    expect(res.status).toBe(503)
    expect(http.requestsSent).toBe(1)
    expect(sleeps).toEqual([])
  })

  it('does not retry a GET with retry: never', async () => {
    pool().intercept({ path: '/jwks', method: 'GET' }).reply(502, 'bad gateway')
    const http = client()

    const res = await http.request({ method: 'GET', url: `${ORIGIN}/jwks`, retry: 'never' })

    expect(res.status).toBe(502)
    expect(http.requestsSent).toBe(1)
  })
})

describe('HttpClient responses', () => {
  it('describes an HTML 500 page by status and content type (exit 5)', async () => {
    pool().intercept({ path: '/token', method: 'POST' }).reply(500, '<!DOCTYPE html><html><body>Oops</body></html>', { headers: HTML_HEADERS })
    const http = client()

    const res = await http.request({ method: 'POST', url: `${ORIGIN}/token`, body: 'a=b' })
    const err = errorFromResponse(res, 'token endpoint')

    expect(err).toBeInstanceOf(CliError)
    expect(err.exitCode).toBe(5)
    expect(err).toMatchObject({ kind: 'network', code: 'http_500', httpStatus: 500 })
    expect(err.message).toContain('status 500')
    expect(err.message).toContain('text/html')
    expect(err.message).not.toContain('Oops')
  })

  it('readJson on a 200 HTML page is a bad_response naming HTML', async () => {
    pool().intercept({ path: '/.well-known/openid-configuration', method: 'GET' }).reply(200, '<html><body>login</body></html>', { headers: HTML_HEADERS })
    const http = client()

    const res = await http.request({ method: 'GET', url: `${ORIGIN}/.well-known/openid-configuration` })

    expect(() => readJson(res, 'discovery')).toThrow(CliError)
    expect(() => readJson(res, 'discovery')).toThrow(expect.objectContaining({ kind: 'bad_response', exitCode: 5, code: 'html_response' }))
    expect(() => readJson(res, 'discovery')).toThrow('discovery returned HTML (status 200, text/html)')
  })

  it('readJson spots HTML by its content even when the content type says JSON', async () => {
    pool().intercept({ path: '/jwks', method: 'GET' }).reply(200, '  <!doctype html><p>hi</p>', { headers: JSON_HEADERS })
    const res = await client().request({ method: 'GET', url: `${ORIGIN}/jwks` })

    expect(() => readJson(res, 'jwks')).toThrow('jwks returned HTML (status 200, application/json)')
  })

  it('readJson on malformed JSON says so', async () => {
    pool().intercept({ path: '/jwks', method: 'GET' }).reply(200, '{"keys": [', { headers: JSON_HEADERS })
    const res = await client().request({ method: 'GET', url: `${ORIGIN}/jwks` })

    expect(() => readJson(res, 'jwks')).toThrow(expect.objectContaining({ kind: 'bad_response', exitCode: 5, code: 'malformed_json' }))
    expect(() => readJson(res, 'jwks')).toThrow('jwks returned malformed JSON (status 200, application/json)')
  })

  it('readJson on an empty body is malformed JSON', async () => {
    pool().intercept({ path: '/jwks', method: 'GET' }).reply(200, '')
    const res = await client().request({ method: 'GET', url: `${ORIGIN}/jwks` })

    expect(() => readJson(res, 'jwks')).toThrow('jwks returned malformed JSON (status 200, no content type)')
  })

  it('parseJson returns the parsed data when it matches the schema', async () => {
    pool().intercept({ path: '/token', method: 'POST' }).reply(200, { access_token: 'at', expires_in: 60 }, { headers: JSON_HEADERS })
    const res = await client().request({ method: 'POST', url: `${ORIGIN}/token`, body: 'a=b' })
    const schema = z.object({ access_token: z.string(), expires_in: z.number() })

    expect(parseJson(res, schema, 'token endpoint')).toEqual({ access_token: 'at', expires_in: 60 })
  })

  it('parseJson names the field that does not match the schema', async () => {
    pool().intercept({ path: '/token', method: 'POST' }).reply(200, { access_token: 'at', expires_in: 'soon' }, { headers: JSON_HEADERS })
    const res = await client().request({ method: 'POST', url: `${ORIGIN}/token`, body: 'a=b' })
    const schema = z.object({ access_token: z.string(), expires_in: z.number() })

    expect(() => parseJson(res, schema, 'token endpoint')).toThrow(
      expect.objectContaining({ kind: 'bad_response', exitCode: 5, code: 'unexpected_response', httpStatus: 200 }),
    )
    expect(() => parseJson(res, schema, 'token endpoint')).toThrow(/^token endpoint returned an unexpected response: expires_in: /)
  })

  it('checkJson hands back the JSON as sent, unnamed keys kept, from a plain or a zod-compiled schema', async () => {
    const body = { entities: [{ id: 'a', extra: { kept: true } }], next: null }
    const schema = z.object({ entities: z.array(z.object({ id: z.string() })) })
    for (const checked of [schema, z.compile(schema)]) {
      pool().intercept({ path: '/list', method: 'GET' }).reply(200, body, { headers: JSON_HEADERS })
      const res = await client().request({ method: 'GET', url: `${ORIGIN}/list` })
      expect(checkJson(res, checked, 'list')).toEqual(body)
    }
  })

  it('checkJson refuses what parseJson refuses, with the same message, compiled or not', async () => {
    const schema = z.object({ entities: z.array(z.object({ id: z.string().min(1) })) })
    for (const checked of [schema, z.compile(schema)]) {
      pool().intercept({ path: '/list', method: 'GET' }).reply(200, { entities: [{ id: 'a' }, { id: '' }] }, { headers: JSON_HEADERS })
      const res = await client().request({ method: 'GET', url: `${ORIGIN}/list` })
      expect(() => checkJson(res, checked, 'list')).toThrow(expect.objectContaining({ kind: 'bad_response', code: 'unexpected_response', httpStatus: 200 }))
      expect(() => checkJson(res, checked, 'list')).toThrow(/^list returned an unexpected response: entities\.1\.id: /)
      expect(() => parseJson(res, checked, 'list')).toThrow(/^list returned an unexpected response: entities\.1\.id: /)
    }
  })

  it('parseJson names a nested field by its path', async () => {
    pool().intercept({ path: '/jwks', method: 'GET' }).reply(200, { keys: [{ kid: 'a' }, { kid: 7 }] }, { headers: JSON_HEADERS })
    const res = await client().request({ method: 'GET', url: `${ORIGIN}/jwks` })
    const schema = z.object({ keys: z.array(z.object({ kid: z.string() })) })

    expect(() => parseJson(res, schema, 'jwks')).toThrow(/unexpected response: keys\.1\.kid: /)
  })

  it('rejects a body over maxBodyBytes announced by content-length', async () => {
    const big = 'x'.repeat(2048)
    pool().intercept({ path: '/big', method: 'GET' }).reply(200, big, { headers: { 'content-length': String(big.length) } })
    const http = client({ maxBodyBytes: 1024 })

    await expect(http.request({ method: 'GET', url: `${ORIGIN}/big`, what: 'discovery' })).rejects.toMatchObject({
      name: 'CliError',
      kind: 'bad_response',
      code: 'response_too_large',
      exitCode: 5,
      httpStatus: 200,
      message: 'discovery sent a response larger than 1 KiB (status 200)',
    })
    expect(http.requestsSent).toBe(1)
  })

  it('rejects a body over maxBodyBytes that has no content-length', async () => {
    const big = 'y'.repeat(1025)
    pool().intercept({ path: '/big', method: 'GET' }).reply(200, big)
    const http = client({ maxBodyBytes: 1024 })

    await expect(http.request({ method: 'GET', url: `${ORIGIN}/big`, what: 'discovery' })).rejects.toMatchObject({
      kind: 'bad_response',
      code: 'response_too_large',
      exitCode: 5,
    })
    // A too-large response is not a transient failure: not retried.
    expect(http.requestsSent).toBe(1)
  })

  it('accepts a body of exactly maxBodyBytes', async () => {
    const exact = 'z'.repeat(1024)
    pool().intercept({ path: '/exact', method: 'GET' }).reply(200, exact)
    const res = await client({ maxBodyBytes: 1024 }).request({ method: 'GET', url: `${ORIGIN}/exact` })

    expect(res.body.length).toBe(1024)
    expect(res.text()).toBe(exact)
  })
})

describe('HttpClient network failures', () => {
  it('an unreadable CA file fails the request (exit 2), and closing the client afterwards does not throw', async () => {
    const http = new HttpClient({ caFile: '/nonexistent/oauthctl-ca.pem', maxAttempts: 1 })
    await expect(http.request({ method: 'GET', url: 'https://idp.example.test/' })).rejects.toMatchObject({ exitCode: 2, code: 'ca_file', message: 'cannot read CA file /nonexistent/oauthctl-ca.pem: ENOENT' })
    await expect(http.close()).resolves.toBeUndefined()
  })

  it('turns a reply slower than requestTimeoutMs into a network timeout (exit 5)', async () => {
    pool().intercept({ path: '/token', method: 'POST' }).reply(200, { access_token: 'late' }, { headers: JSON_HEADERS }).delay(2_000)
    const http = client({ requestTimeoutMs: 100 })
    const started = performance.now()

    await expect(http.request({ method: 'POST', url: `${ORIGIN}/token`, body: 'a=b', what: 'token endpoint' })).rejects.toMatchObject({
      name: 'CliError',
      kind: 'network',
      code: 'timeout',
      exitCode: 5,
      message: 'token endpoint did not answer within 0.1 s',
    })
    expect(performance.now() - started).toBeLessThan(1_500)
    expect(http.requestsSent).toBe(1)
  })

  it('retries a timed-out safe request and succeeds', async () => {
    pool().intercept({ path: '/jwks', method: 'GET' }).reply(200, 'late').delay(2_000)
    pool().intercept({ path: '/jwks', method: 'GET' }).reply(200, { keys: [] }, { headers: JSON_HEADERS })
    const http = client({ requestTimeoutMs: 100 })

    const res = await http.request({ method: 'GET', url: `${ORIGIN}/jwks` })

    expect(readJson(res, 'jwks')).toEqual({ keys: [] })
    expect(http.requestsSent).toBe(2)
    expect(sleeps).toEqual([75])
  })

  it('shows each wait before a retry on the progress line: what, the reason, the attempt, the time left; stopped after', async () => {
    pool().intercept({ path: '/token', method: 'POST' }).reply(429, '', { headers: { 'retry-after': '7' } })
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' })
    pool().intercept({ path: '/token', method: 'POST' }).replyWithError(refused)
    pool().intercept({ path: '/token', method: 'POST' }).reply(200, { access_token: 'a' }, { headers: JSON_HEADERS })
    const progress = recordingProgress()
    const http = client({ progress })

    await http.request({ method: 'POST', url: `${ORIGIN}/token`, body: 'x=1', retry: 'safe', what: 'token endpoint' })

    expect(progress.waits).toEqual([
      { label: 'retrying token endpoint', texts: ['status 429; attempt 2 of 3'], timeLeftMs: 7000, stopped: true },
      { label: 'retrying token endpoint', texts: ['cannot reach token endpoint: connection refused; attempt 3 of 3'], timeLeftMs: 150, stopped: true },
    ])
  })

  it('retries ECONNREFUSED for a safe request, then fails with exit 5 "connection refused"', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' })
    pool().intercept({ path: '/token', method: 'POST' }).replyWithError(refused).times(3)
    const http = client()

    await expect(
      http.request({ method: 'POST', url: `${ORIGIN}/token`, body: 'a=b', retry: 'safe', what: 'token endpoint' }),
    ).rejects.toMatchObject({
      name: 'CliError',
      kind: 'network',
      code: 'ECONNREFUSED',
      exitCode: 5,
      message: 'cannot reach token endpoint: connection refused',
    })
    expect(http.requestsSent).toBe(3)
    expect(sleeps).toEqual([75, 150])
  })

  it('reads the error code from an undici-style cause chain', async () => {
    const inner = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })
    const outer = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET', cause: inner })
    pool().intercept({ path: '/jwks', method: 'GET' }).replyWithError(outer)
    const http = client()

    await expect(http.request({ method: 'GET', url: `${ORIGIN}/jwks`, retry: 'never' })).rejects.toMatchObject({
      code: 'ECONNRESET',
      message: `cannot reach as.example.test: connection reset`,
    })
  })

  it('does not retry a connection error for a POST with retry: auto', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
    pool().intercept({ path: '/clients', method: 'POST' }).replyWithError(refused)
    const http = client()

    await expect(http.request({ method: 'POST', url: `${ORIGIN}/clients`, body: '{}' })).rejects.toMatchObject({
      kind: 'network',
      code: 'ECONNREFUSED',
    })
    expect(http.requestsSent).toBe(1)
    expect(sleeps).toEqual([])
  })

  it('does not retry an error code that is not transient (host not found)', async () => {
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' })
    pool().intercept({ path: '/jwks', method: 'GET' }).replyWithError(notFound)
    const http = client()

    await expect(http.request({ method: 'GET', url: `${ORIGIN}/jwks` })).rejects.toMatchObject({
      code: 'ENOTFOUND',
      exitCode: 5,
      message: 'cannot reach as.example.test: host not found',
    })
    expect(http.requestsSent).toBe(1)
  })
})

describe('HttpClient fetch adapter', () => {
  it('returns a global Response with status, headers and body, and rawResponse gives the buffered response', async () => {
    let seenBody: unknown
    let seenHeaders: unknown
    pool()
      .intercept({ path: '/token', method: 'POST' })
      .reply((opts) => {
        seenBody = opts.body
        seenHeaders = opts.headers
        return { statusCode: 201, data: JSON.stringify({ access_token: 'at1' }), responseOptions: { headers: { ...JSON_HEADERS, 'x-req': 'r1' } } }
      })
    const http = client()

    const response = await http.fetch(`${ORIGIN}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    })

    expect(response).toBeInstanceOf(Response)
    expect(response.status).toBe(201)
    expect(response.url).toBe(`${ORIGIN}/token`)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(response.headers.get('x-req')).toBe('r1')
    expect(await response.json()).toEqual({ access_token: 'at1' })
    expect(seenBody).toBe('grant_type=client_credentials')
    expect(seenHeaders).toMatchObject({ 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'oauthctl' })

    const raw = http.rawResponse(response)
    expect(raw).toBeDefined()
    expect(raw?.status).toBe(201)
    expect(raw?.contentType).toBe('application/json')
    expect(raw?.text()).toBe('{"access_token":"at1"}')
    expect(http.rawResponse(new Response('other'))).toBeUndefined()
  })

  it('gives a 204 a null body', async () => {
    pool().intercept({ path: '/revoke', method: 'POST' }).reply(204, '')
    const http = client()

    const response = await http.fetch(`${ORIGIN}/revoke`, { method: 'POST', body: 'token=x' })

    expect(response.status).toBe(204)
    expect(response.body).toBeNull()
  })

  it('retries through the fetch adapter (token endpoints are safe to repeat)', async () => {
    pool().intercept({ path: '/token', method: 'POST' }).reply(503, 'busy')
    pool().intercept({ path: '/token', method: 'POST' }).reply(200, { access_token: 'at2' }, { headers: JSON_HEADERS })
    const http = client()

    const response = await http.fetch(`${ORIGIN}/token`, { method: 'POST', body: 'a=b' })

    expect(response.status).toBe(200)
    expect(http.requestsSent).toBe(2)
  })
})

describe('HttpClient trace', () => {
  const secrets = ['xyz', 'S3CRETVALUE', 'RTVALUE123', 'ACCESSTOKENVALUE', 'REFRESHTOKENVALUE', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl']

  it('traces request and response lines without any secret value', async () => {
    pool()
      .intercept({ path: '/token', method: 'POST' })
      .reply(
        200,
        {
          access_token: 'ACCESSTOKENVALUE',
          refresh_token: 'REFRESHTOKENVALUE',
          id_token: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl',
          token_type: 'Bearer',
          expires_in: 3600,
        },
        { headers: JSON_HEADERS },
      )
    const lines: string[] = []
    const http = client({ trace: (line) => lines.push(line) })

    const res = await http.request({
      method: 'POST',
      url: `${ORIGIN}/token`,
      headers: { authorization: 'Basic xyz', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'client_secret=S3CRETVALUE&grant_type=client_credentials&refresh_token=RTVALUE123',
    })
    expect(res.status).toBe(200)

    const trace = lines.join('\n')
    expect(lines[0]).toBe(`> POST ${ORIGIN}/token`)
    expect(lines).toContain('> authorization: Basic [REDACTED]')
    expect(trace).toContain('[REDACTED]')
    expect(trace).toContain('grant_type=client_credentials')
    expect(trace).toMatch(/^< 200 OK \(\d+ ms\)$/m)
    expect(trace).toContain('"token_type":"Bearer"')
    for (const secret of secrets) expect(trace).not.toContain(secret)
  })

  it('redacts a form body whose Content-Type header is not written in lower case', async () => {
    pool().intercept({ path: '/token', method: 'POST' }).reply(200, { token_type: 'Bearer' }, { headers: JSON_HEADERS })
    const lines: string[] = []
    const http = client({ trace: (line) => lines.push(line) })

    await http.request({
      method: 'POST',
      url: `${ORIGIN}/token`,
      headers: { Authorization: 'Basic xyz', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'client_secret=S3CRETVALUE&grant_type=client_credentials&refresh_token=RTVALUE123',
    })

    const trace = lines.join('\n')
    expect(trace).toContain('grant_type=client_credentials')
    for (const secret of secrets) expect(trace).not.toContain(secret)
  })

  it('traces the retry wait', async () => {
    pool().intercept({ path: '/jwks', method: 'GET' }).reply(503, '')
    pool().intercept({ path: '/jwks', method: 'GET' }).reply(200, '{}')
    const lines: string[] = []
    await client({ trace: (line) => lines.push(line) }).request({ method: 'GET', url: `${ORIGIN}/jwks`, what: 'jwks' })

    expect(lines).toContain('* retrying jwks in 75 ms (status 503)')
  })
})

describe('retry.ts', () => {
  const now = Date.UTC(2030, 0, 15, 12, 0, 0)

  it('parseRetryAfter reads delay-seconds', () => {
    expect(parseRetryAfter('0', now)).toBe(0)
    expect(parseRetryAfter('5', now)).toBe(5000)
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000)
  })

  it('parseRetryAfter reads an HTTP-date relative to now, never negative', () => {
    expect(parseRetryAfter(new Date(now + 30_000).toUTCString(), now)).toBe(30_000)
    expect(parseRetryAfter('Tue, 15 Jan 2030 12:01:00 GMT', now)).toBe(60_000)
    expect(parseRetryAfter(new Date(now - 30_000).toUTCString(), now)).toBe(0)
  })

  it('parseRetryAfter is undefined when absent or unreadable', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
    expect(parseRetryAfter('', now)).toBeUndefined()
    expect(parseRetryAfter('soon', now)).toBeUndefined()
  })

  it('parseRetryAfter is undefined for values that are neither delay-seconds nor an HTTP-date', () => {
    // V8's Date.parse reads these as dates in 2001 or earlier, which would mean "retry now".
    expect(parseRetryAfter('-5', now)).toBeUndefined()
    expect(parseRetryAfter('5.5', now)).toBeUndefined()
    expect(parseRetryAfter('Retry 3', now)).toBeUndefined()
    expect(retryDelayMs(1, '5.5', { retryBaseMs: 250, random: () => 0, now: () => now })).toBe(125)
  })

  it('retryDelayMs uses full-jitter backoff between half and all of the doubling ceiling', () => {
    const opts = (r: number) => ({ retryBaseMs: 250, random: () => r, now: () => now })
    expect(retryDelayMs(1, undefined, opts(0))).toBe(125)
    expect(retryDelayMs(1, undefined, opts(1))).toBe(250)
    expect(retryDelayMs(2, undefined, opts(0))).toBe(250)
    expect(retryDelayMs(2, undefined, opts(1))).toBe(500)
    expect(retryDelayMs(3, undefined, opts(0.5))).toBe(750)
    expect(retryDelayMs(1, 'garbage', opts(0))).toBe(125)
  })

  it('retryDelayMs prefers the server Retry-After over backoff', () => {
    const opts = { retryBaseMs: 250, random: () => 0.5, now: () => now }
    expect(retryDelayMs(1, '3', opts)).toBe(3000)
    expect(retryDelayMs(3, new Date(now + 4_000).toUTCString(), opts)).toBe(4000)
  })
})
