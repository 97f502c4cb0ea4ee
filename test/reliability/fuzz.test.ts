import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { MockAgent } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseKeyValues } from '../../src/cli/input.js'
import { ProfileSchema } from '../../src/lib/config/schema.js'
import { loadConfig } from '../../src/lib/config/store.js'
import { CliError, OAuthError } from '../../src/lib/errors.js'
import { HttpClient, type HttpResponse } from '../../src/lib/http/client.js'
import { errorFromResponse } from '../../src/lib/http/response.js'
import { checkAuthorizationResponse } from '../../src/lib/login/browser-login.js'
import { startLoopbackServer } from '../../src/lib/login/loopback-server.js'
import { OAuthSession } from '../../src/lib/oauth/session.js'
import { REDACTED, redactBody, redactHeaders, redactJson, redactText, redactUrl, registerSecret } from '../../src/lib/redact.js'
import { probe, rawRequest } from './http-probe.js'

/**
 * Properties of the parsers that meet hostile input, where the existing suites have none yet:
 * config files that are not JSON or carry prototype keys, the login callback check, --param,
 * error responses of any status and body, token responses through the whole HTTP path, and every
 * redaction function. Each property names what may come out: a value, or a typed CliError with
 * the documented exit code, never anything else.
 */

describe('config loader', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oauthctl-fuzz-config-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  const loadOutcome = async (text: string | Uint8Array) => {
    await writeFile(join(dir, 'config.json'), text)
    return loadConfig(dir).then(
      (config) => ({ config }),
      (error: unknown) => ({ error }),
    )
  }

  it('any bytes that are not a config are a usage error (exit 2) naming the file, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom('\uFEFF{}', '{"version":1,}', '', ' ', 'null', '[]', '{"profiles":null}')), async (bytes) => {
        const outcome = await loadOutcome(bytes)
        if ('config' in outcome) return // rare: the bytes happened to be a valid (e.g. empty-object) config
        expect(outcome.error).toBeInstanceOf(CliError)
        expect(outcome.error).toMatchObject({ kind: 'usage', exitCode: 2 })
        expect((outcome.error as CliError).message).toContain(join(dir, 'config.json'))
      }),
      { numRuns: 150 },
    )
  })

  it('prototype keys anywhere in the file never pollute Object.prototype', async () => {
    const dangerous = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty')
    const value = fc.oneof(fc.constant({ polluted: 'yes' }), fc.constant('yes'), fc.jsonValue({ maxDepth: 1 }))
    const profile = fc.dictionary(fc.oneof(dangerous, fc.constantFrom('provider', 'params', 'endpoints', 'scopes', 'clientId')), fc.oneof(value, fc.dictionary(dangerous, value)), { maxKeys: 4 })
    const config = fc.record({ version: fc.constant(1), profiles: fc.dictionary(fc.oneof(dangerous, fc.constantFrom('a', 'b')), profile, { maxKeys: 3 }), defaultProfile: fc.oneof(dangerous, fc.constant('a')) }, { requiredKeys: [] })
    await fc.assert(
      fc.asyncProperty(fc.oneof(config, fc.dictionary(dangerous, value)), async (raw) => {
        // JSON text, not JSON.stringify of an object literal: "__proto__" must reach the parser as a key.
        const text = JSON.stringify(raw).replaceAll('"__proto_x__"', '"__proto__"')
        const outcome = await loadOutcome(text)
        expect(({} as Record<string, unknown>).polluted).toBeUndefined()
        expect(Object.keys(Object.prototype)).toEqual([])
        if ('error' in outcome) expect(outcome.error).toMatchObject({ exitCode: 2 })
      }),
      { numRuns: 200 },
    )
    // And explicitly, with "__proto__" as a JSON key at each level.
    for (const text of [
      '{"__proto__":{"polluted":"yes"}}',
      '{"version":1,"profiles":{"__proto__":{"polluted":"yes"}}}',
      '{"version":1,"profiles":{"a":{"params":{"__proto__":{"polluted":"yes"}}}}}',
      '{"version":1,"profiles":{"a":{"endpoints":{"__proto__":{"polluted":"yes"}}}}}',
    ]) {
      await loadOutcome(text)
      expect(({} as Record<string, unknown>).polluted, text).toBeUndefined()
    }
  })

  it('nesting 100,000 levels deep is a usage error, not a stack overflow', async () => {
    const deep = `{"version":1,"profiles":{"a":{"params":${'['.repeat(100_000)}${']'.repeat(100_000)}}}}`
    const outcome = await loadOutcome(deep)
    expect('error' in outcome && outcome.error).toMatchObject({ kind: 'usage', exitCode: 2 })
  })
})

describe('login callback check (checkAuthorizationResponse)', () => {
  const as = { issuer: 'https://as.example.test' }
  const client = { client_id: 'cli' }
  const STATE = 'the-state-of-this-login'
  const names = fc.constantFrom('code', 'state', 'error', 'error_description', 'error_uri', 'iss', 'session_state', 'id_token', 'response', 'x')
  const values = fc.oneof(fc.constantFrom(STATE, as.issuer, 'access_denied', '', 'https://attacker.example.test', 'code-1'), fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }))

  it('never throws; acts only on a callback whose single state is ours, refuses errors and a foreign iss', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(names, values), { maxLength: 8 }), fc.boolean(), (pairs, withOurState) => {
        const params = new URLSearchParams(pairs)
        if (withOurState) params.append('state', STATE)
        const verdict = checkAuthorizationResponse({ as, client }, params, STATE)
        const states = params.getAll('state')
        if (params.get('state') !== STATE) {
          expect(verdict).toEqual({ ignore: 'its state does not match the login in progress' })
          return
        }
        if ('params' in verdict) {
          expect(states).toEqual([STATE])
          // An empty `error=` is no error (oauth4webapi): the exchange then fails on the missing code.
          expect(params.getAll('error').every((e) => e === '')).toBe(true)
          // RFC 9207: an iss that is present must be ours (oauth4webapi reads an empty one as absent).
          for (const iss of params.getAll('iss')) expect([as.issuer, '']).toContain(iss)
          expect(params.getAll('iss').length).toBeLessThanOrEqual(1)
          return
        }
        expect('fail' in verdict).toBe(true)
        const failure = (verdict as { fail: unknown }).fail
        expect(failure).toBeInstanceOf(CliError)
        expect([4, 5]).toContain((failure as CliError).exitCode)
        // A plain error response for this login ends it as the server's refusal (exit 4), with its code.
        if (states.length === 1 && params.getAll('error').length === 1 && params.get('error') !== '' && !params.has('iss') && !params.has('response')) {
          expect(failure).toBeInstanceOf(OAuthError)
          expect((failure as OAuthError).error).toBe(params.get('error'))
        }
      }),
      { numRuns: 1000 },
    )
  })

  it('the loopback server answers any request target, Host and method with a page, and only the real callback ends the login', async () => {
    const server = await startLoopbackServer<string | null>({
      mode: 'query',
      signal: new AbortController().signal,
      handle: (params) => {
        const checked = checkAuthorizationResponse({ as, client }, params, STATE)
        if (!('params' in checked)) return checked
        return { proceed: async () => checked.params.get('code') }
      },
    })
    try {
      const target = fc.oneof(
        fc.string({ maxLength: 60 }).map((s) => `/callback?${s}`),
        // Foreign callbacks carry no state of ours: a request with the real state (even duplicated) may end the login, by design.
        fc.array(fc.tuple(names, values), { maxLength: 5 }).map((p) => `/callback?${new URLSearchParams(p.filter(([name]) => name !== 'state'))}&state=not-ours`),
        fc.constantFrom('/', '//evil.example.test/callback', '*', 'http://127.0.0.1/callback', '/callback/../callback', '/CALLBACK', '/callback%00', '/callback?state=%ZZ', '/%2e%2e/callback'),
        fc.webPath().map((p) => p || '/'),
      )
      const host = fc.oneof(fc.constant(`127.0.0.1:${server.port}`), fc.constant(`localhost:${server.port}`), fc.constantFrom('evil.example.test', '', `127.0.0.1:${server.port}.evil.test`, `LOCALHOST:${server.port}`))
      const method = fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'OPTIONS', 'DELETE', 'PATCH')
      let settled = false
      server.result.then(
        () => (settled = true),
        () => (settled = true),
      )
      await fc.assert(
        fc.asyncProperty(target, host, method, async (path, hostHeader, verb) => {
          const raw = `${verb} ${path.replace(/[\s]/g, '%20')} HTTP/1.1\r\nHost: ${hostHeader}\r\nConnection: close\r\n\r\n`
          const answer = await rawRequest(server.port, raw)
          const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)
          expect([400, 404, 409, 431], answer.slice(0, 200)).toContain(status)
          expect(settled).toBe(false)
        }),
        { numRuns: 150 },
      )
      const done = await probe(server.port, `/callback?${new URLSearchParams({ code: 'the-code', state: STATE })}`)
      expect(done.status).toBe(200)
      await expect(server.result).resolves.toBe('the-code')
    } finally {
      await server.close()
    }
  })
})

describe('--param parser (parseKeyValues)', () => {
  const key = fc.oneof(fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !k.includes('=')), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'scope'))
  const value = fc.string({ maxLength: 20 })

  it('KEY=VALUE pairs split at the first "=", the last one for a key winning; every key is kept, whatever its name', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, value), { maxLength: 8 }), (pairs) => {
        const parsed = parseKeyValues(pairs.map(([k, v]) => `${k}=${v}`), '--param')
        const expected = new Map<string, string>()
        for (const [k, v] of pairs) expected.set(k, v)
        expect(Object.keys(parsed).sort()).toEqual([...expected.keys()].sort())
        for (const [k, v] of expected) {
          expect(Object.hasOwn(parsed, k), k).toBe(true)
          expect(parsed[k]).toBe(v)
        }
      }),
      { numRuns: 500 },
    )
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('an entry without a key is a usage error that never echoes the entry (it may be a secret)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, value).map(([k, v]) => `${k}=${v}`), { maxLength: 3 }), fc.oneof(fc.string({ minLength: 8 }).filter((s) => !s.includes('=')), fc.string({ minLength: 8 }).map((s) => `=${s}`)), (good, bad) => {
        let error: unknown
        try {
          parseKeyValues([...good, bad], '--param')
        } catch (err) {
          error = err
        }
        expect(error).toBeInstanceOf(CliError)
        expect(error).toMatchObject({ exitCode: 2, code: 'bad_param' })
        expect((error as CliError).message).not.toContain(bad.replace(/^=/, ''))
      }),
      { numRuns: 300 },
    )
  })
})

describe('error responses (errorFromResponse)', () => {
  const response = (status: number, body: Buffer, contentType: string): HttpResponse => ({
    status,
    headers: { 'content-type': contentType },
    body,
    url: 'https://as.example.test/token',
    contentType,
    text: () => body.toString('utf8'),
  })
  const oauthish = fc.record(
    { error: fc.oneof(fc.string(), fc.constantFrom('invalid_grant', 'invalid_client', 'access_denied'), fc.jsonValue()), error_description: fc.oneof(fc.string(), fc.jsonValue()), message: fc.string() },
    { requiredKeys: [] },
  )
  const body = fc.oneof(
    oauthish.map((o) => Buffer.from(JSON.stringify(o))),
    fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
    fc.string().map((s) => Buffer.from(s)),
    fc.uint8Array({ maxLength: 100 }).map((a) => Buffer.from(a)),
    fc.constantFrom(Buffer.from('<!DOCTYPE html><p>error</p>'), Buffer.from(''), Buffer.from('{"error":"__proto__"}'), Buffer.from('{"__proto__":{"error":"x"}}')),
  )
  const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/html', 'text/plain', '', 'application/problem+json')

  it('any status and body become a CliError with the documented exit code, never a throw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), body, contentType, (status, bytes, type) => {
        const err = errorFromResponse(response(status, bytes, type), 'token endpoint')
        expect(err).toBeInstanceOf(CliError)
        expect(err.httpStatus).toBe(status)
        expect(typeof err.code).toBe('string')
        expect(typeof err.message).toBe('string')
        if (status >= 500 || status === 429) expect(err.exitCode).toBe(5)
        else if (status >= 400) expect(err.exitCode).toBe(4)
        // Below 400 (callers pass only non-2xx): an OAuth error body is still the server refusing (4); anything else is a broken server (5).
        else expect(err.exitCode).toBe(err instanceof OAuthError ? 4 : 5)
        if (status >= 400 && status < 500 && status !== 429 && err instanceof OAuthError) {
          expect(typeof err.error).toBe('string')
          expect(err.message.startsWith(err.error)).toBe(true)
        }
      }),
      { numRuns: 1000 },
    )
  })

  it('a registered secret echoed in error_description is gone from the error message', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8, maxLength: 40 }).filter((s) => !s.includes('[') && !s.includes(']') && !REDACTED.includes(s)), fc.string({ maxLength: 20 }), fc.integer({ min: 400, max: 499 }).filter((s) => s !== 429), (secret, around, status) => {
        registerSecret(secret)
        const err = errorFromResponse(response(status, Buffer.from(JSON.stringify({ error: 'invalid_client', error_description: `${around}${secret}${around}` })), 'application/json'), 'token endpoint')
        expect(err).toBeInstanceOf(OAuthError)
        expect(err.message).not.toContain(secret)
      }),
      { numRuns: 300 },
    )
  })
})

describe('token responses through the whole HTTP path (HttpClient → oauth4webapi → schema)', () => {
  const ORIGIN = 'https://as.example.test'
  const profile = ProfileSchema.parse({ endpoints: { token: `${ORIGIN}/token` }, clientId: 'c' })
  const field = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.constant(undefined), fc.jsonValue({ maxDepth: 1 }))
  const token = fc.record({
    access_token: field(fc.string()),
    token_type: field(fc.constantFrom('Bearer', 'bearer', 'DPoP', 'mac', '')),
    expires_in: field(fc.oneof(fc.integer({ min: -100, max: 2 ** 40 }), fc.double())),
    refresh_token: field(fc.string()),
    scope: field(fc.string()),
    id_token: fc.constantFrom(undefined, 'not.a.jwt', ''),
  })
  const bodies = fc.oneof(token.map((t) => JSON.stringify(t)), fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'), fc.string(), fc.constant('<html>gateway</html>'))
  const statuses = fc.oneof(fc.constant(200), fc.constantFrom(201, 204, 301, 400, 401, 403, 404, 429, 500, 502, 503), fc.integer({ min: 200, max: 599 }))
  const types = fc.constantFrom('application/json', 'application/json;charset=UTF-8', 'text/html', 'text/plain', 'application/x-www-form-urlencoded')

  it('ends in a usable token or a CliError with exit 4 (a refusal) or 5 (a broken server)', async () => {
    await fc.assert(
      fc.asyncProperty(statuses, bodies, types, async (status, body, type) => {
        const agent = new MockAgent()
        agent.disableNetConnect()
        agent.get(ORIGIN).intercept({ path: '/token', method: 'POST' }).reply(status, body, { headers: { 'content-type': type } })
        const http = new HttpClient({ dispatcher: agent, maxAttempts: 1, sleep: async () => undefined })
        const session = new OAuthSession(profile, http, { value: 'fuzz-client-secret', source: 'env' })
        try {
          const result = await session.grant('client_credentials', new URLSearchParams()).then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          )
          if ('value' in result) {
            expect(status).toBeGreaterThanOrEqual(200)
            expect(status).toBeLessThan(300)
            expect(result.value.access_token.length).toBeGreaterThan(0)
            expect(result.value.token_type).toMatch(/^(bearer|dpop)$/i)
          } else {
            expect(result.error, String(result.error)).toBeInstanceOf(CliError)
            const expected = status >= 400 && status < 500 && status !== 429 ? 4 : 5
            expect((result.error as CliError).exitCode, `${status} ${type} ${body.slice(0, 80)} → ${(result.error as Error).message}`).toBe(expected)
          }
        } finally {
          await agent.close()
        }
      }),
      { numRuns: 300 },
    )
  })
})

describe('redaction: no registered secret (8+ characters) survives any redactor', () => {
  // A secret overlapping the marker "[REDACTED]" can be re-formed by it; such values are excluded.
  const secretArb = fc
    .oneof(
      fc.string({ minLength: 8, maxLength: 40 }),
      fc.base64String({ minLength: 8, maxLength: 40 }),
      fc.stringMatching(/^[A-Za-z0-9._~+/=-]{8,40}$/),
    )
    .filter((s) => !s.includes('[') && !s.includes(']') && !REDACTED.includes(s) && s.trim() === s && s.length >= 8)
  const around = fc.string({ maxLength: 20 })
  const name = fc.oneof(fc.constantFrom('note', 'message', 'error_description', 'x-request-id', 'state', 'data'), fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/))

  const surfaces: [string, (secret: string, pre: string, post: string, n: string) => string][] = [
    ['redactText', (s, a, b) => redactText(`${a}${s}${b}`)],
    ['redactUrl (query value)', (s, a, b, n) => redactUrl(`https://h.example.test/p?${new URLSearchParams({ [n]: `${a}${s}${b}` })}`)],
    ['redactUrl (fragment)', (s, a, b, n) => redactUrl(`https://h.example.test/p#${new URLSearchParams({ [n]: `${a}${s}${b}` })}`)],
    ['redactUrl (path segment)', (s) => redactUrl(`https://h.example.test/clients/${encodeURIComponent(s)}/x`)],
    ['redactUrl (user info)', (s) => redactUrl(`https://user:${encodeURIComponent(s)}@h.example.test/`)],
    ['redactBody (form)', (s, a, b, n) => redactBody(new URLSearchParams({ [n]: `${a}${s}${b}`, grant_type: 'x' }).toString(), 'application/x-www-form-urlencoded')],
    ['redactBody (JSON value)', (s, a, b, n) => redactBody(JSON.stringify({ [n]: { nested: [`${a}${s}${b}`] } }), 'application/json')],
    ['redactBody (text)', (s, a, b) => redactBody(`${a}${s}${b}`, 'text/plain')],
    ['redactBody (an HTML error page echoing the form it was sent)', (s) => redactBody(`<p>you sent: ${new URLSearchParams({ client_secret: s, grant_type: 'client_credentials' })}</p>`, 'text/html')],
    ['redactHeaders', (s, a, b, n) => Object.values(redactHeaders({ [n]: `${a}${s}${b}`, 'set-cookie': [`sid=${s}`] })).join('\n')],
    ['redactJson (value)', (s, a, b, n) => JSON.stringify(redactJson({ [n]: [`${a}${s}${b}`, { deeper: s }] }))],
  ]

  it.each(surfaces)('%s', (_name, redact) => {
    fc.assert(
      fc.property(secretArb, around, around, name, (secret, pre, post, n) => {
        registerSecret(secret)
        const out = redact(secret, pre, post, n)
        expect(out).not.toContain(secret)
        // Nor percent-encoded (URL or form encoding), where the surface encodes: that is the same secret.
        for (const encoded of new Set([encodeURIComponent(secret), new URLSearchParams({ x: secret }).toString().slice(2)])) {
          if (encoded !== secret) expect(out).not.toContain(encoded)
        }
      }),
      { numRuns: 200 },
    )
  })

  it('redactJson also hides a secret used as an object key', () => {
    fc.assert(
      fc.property(secretArb, (secret) => {
        registerSecret(secret)
        expect(JSON.stringify(redactJson({ tokens: { [secret]: { active: true } } }))).not.toContain(secret)
      }),
      { numRuns: 100 },
    )
  })
})
