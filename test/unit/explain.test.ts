import { createHash } from 'node:crypto'
import { MockAgent } from 'undici'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ProfileSchema } from '../../src/lib/config/schema.js'
import { HttpClient } from '../../src/lib/http/client.js'
import { explainTrace, verboseTrace } from '../../src/lib/http/trace.js'
import { type Clock, deviceFlow } from '../../src/lib/login/device-flow.js'
import { OAuthSession } from '../../src/lib/oauth/session.js'
import { strictFormEncode } from '../../src/lib/redact.js'
import { checkAtHash } from '../../src/lib/tokens/verify.js'
import { NO_PROGRESS } from '../../src/lib/output/progress.js'

const ORIGIN = 'https://as.example.test'
const JSON_HEADERS = { 'content-type': 'application/json' }

let agent: MockAgent
let lines: string[]

beforeEach(() => {
  agent = new MockAgent()
  agent.disableNetConnect()
  lines = []
})

afterEach(async () => {
  try {
    agent.assertNoPendingInterceptors()
  } finally {
    await agent.close()
  }
})

const explained = () => new HttpClient({ dispatcher: agent, maxAttempts: 1, trace: explainTrace((line) => lines.push(line)) })
/** Timings vary: the snapshot says N. */
const text = () =>
  lines
    .join('\n')
    .replace(/^( {3}← .*) in \d+ ms$/gm, '$1 in N ms')
    .replace(/oauth4webapi\/v[\d.]+/g, 'oauth4webapi/VERSION')

describe('--explain rendering', () => {
  it('a device login, browser-free: device authorization, the approval step, polls while pending, the token (snapshot)', async () => {
    const DEVICE_CODE = 'planted-device-code-4f1e'
    const ACCESS = 'planted-access-token-9c2a'
    const REFRESH = 'planted-refresh-token-77b0'
    const pool = agent.get(ORIGIN)
    pool
      .intercept({ path: '/device', method: 'POST' })
      .reply(200, { device_code: DEVICE_CODE, user_code: 'WDJB-MJHT', verification_uri: `${ORIGIN}/activate`, expires_in: 600, interval: 5 }, { headers: JSON_HEADERS })
    pool.intercept({ path: '/token', method: 'POST' }).reply(400, { error: 'authorization_pending' }, { headers: JSON_HEADERS })
    pool
      .intercept({ path: '/token', method: 'POST' })
      .reply(200, { access_token: ACCESS, refresh_token: REFRESH, token_type: 'Bearer', expires_in: 3600, scope: 'api:read' }, { headers: JSON_HEADERS })
    const http = explained()
    const profile = ProfileSchema.parse({ issuer: ORIGIN, endpoints: { token: `${ORIGIN}/token`, device: `${ORIGIN}/device` }, clientId: 'tv', authMethod: 'none' })
    let now = 0
    const clock: Clock = { now: () => now, sleep: async (ms) => void (now += ms) }
    const result = await deviceFlow(
      { parameters: new URLSearchParams({ scope: 'api:read' }) },
      {
        session: new OAuthSession(profile, http, undefined),
        http,
        signal: new AbortController().signal,
        ui: { info: () => undefined, warn: () => undefined, progress: NO_PROGRESS },
        deadline: Date.now() + 3_600_000,
        browser: { plan: { open: false, reason: 'no-open' }, open: async () => undefined },
        env: {},
        verifyIdToken: async () => undefined,
      },
      clock,
    )
    expect(result.response.access_token).toBe(ACCESS)
    for (const secret of [DEVICE_CODE, ACCESS, REFRESH]) expect(text()).not.toContain(secret)
    expect(text()).toMatchSnapshot()
  })

  it('no secret in any encoding: headers, form and JSON bodies, and a server that echoes them back', async () => {
    // Characters every encoding treats differently: space, '/', '+', '~', '!', '*'.
    const SECRET = 'pl4nted Se/cr+et~!*'
    const CLIENT_ID = 'svc client:1'
    const form = (v: string) => new URLSearchParams({ v }).toString().slice(2)
    const basic = Buffer.from(`${strictFormEncode(CLIENT_ID)}:${strictFormEncode(SECRET)}`).toString('base64')
    const others = {
      code: 'planted-code-value',
      code_verifier: 'planted-verifier-value',
      refresh_token: 'planted-refresh-value',
      access_token: 'planted-access-value',
      id_token: 'planted-id-token-value',
      assertion: 'planted-assertion-value',
      password: 'pl4nted pass/word',
    }
    const registration = 'planted-registration-access-token'
    const encodings = (value: string) => [value, encodeURIComponent(value), form(value)]
    const tokenForms = [...encodings(SECRET), strictFormEncode(SECRET), ...encodings(basic), ...Object.values(others).flatMap(encodings)]
    const forms = [...tokenForms, ...encodings(registration)]
    // Each server echoes what it was sent, and what earlier requests sent.
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: '/token', method: 'POST' }).reply(400, { error: 'invalid_grant', error_description: `got ${tokenForms.join(' | ')}` }, { headers: JSON_HEADERS })
    pool
      .intercept({ path: '/register/c1', method: 'PUT' })
      .reply(200, { client_id: 'c1', client_secret: SECRET, registration_access_token: registration, note: `got ${forms.join(' | ')}` }, { headers: JSON_HEADERS })
    pool.intercept({ path: '/me', method: 'GET' }).reply(200, `got ${forms.join(' | ')}`, { headers: { 'content-type': 'text/plain', 'set-cookie': `session=${SECRET}` } })
    const http = explained()

    await http.request({
      method: 'POST',
      url: `${ORIGIN}/token`,
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_secret: SECRET, ...others }).toString(),
      purpose: 'Token request (authorization_code, PKCE verifier, client_secret_basic)',
    })
    await http.request({
      method: 'PUT',
      url: `${ORIGIN}/register/c1`,
      headers: { authorization: `Bearer ${registration}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'c1', client_secret: SECRET }),
    })
    await http.request({ method: 'GET', url: `${ORIGIN}/me`, headers: { authorization: `DPoP ${others.access_token}`, dpop: 'planted-dpop-proof', cookie: `session=${SECRET}` } })

    const out = text()
    for (const value of [...forms, 'planted-dpop-proof']) expect(out, `${value} leaked`).not.toContain(value)
    // What was redacted is still shown for what it is.
    expect(out).toContain('1. Token request (authorization_code, PKCE verifier, client_secret_basic)')
    expect(out).toContain('authorization: Basic [REDACTED]')
    expect(out).toContain('authorization: DPoP [REDACTED]')
    expect(out).toMatch(/^ {6}code_verifier=\[REDACTED\]$/m)
    expect(out).toContain('"registration_access_token": "[REDACTED]"')
    expect(out).toMatch(/^3\. Request to as\.example\.test$/m)
  })

  it('a retried request stays one step; its attempts and the wait are shown under it', async () => {
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: '/jwks', method: 'GET' }).reply(503, '')
    pool.intercept({ path: '/jwks', method: 'GET' }).reply(200, { keys: [] }, { headers: JSON_HEADERS })
    const http = new HttpClient({ dispatcher: agent, retryBaseMs: 100, random: () => 0.5, sleep: async () => undefined, trace: explainTrace((line) => lines.push(line)) })
    await http.request({ method: 'GET', url: `${ORIGIN}/jwks`, what: 'jwks', purpose: "JWKS: the issuer's public signing keys" })
    http.trace?.check('a check that passed')
    http.trace?.step('A step with no request')
    expect(text()).toBe(
      [
        "1. JWKS: the issuer's public signing keys",
        `   → GET ${ORIGIN}/jwks`,
        '   ← 503 Service Unavailable in N ms',
        '   ↻ status 503: trying again in 75 ms',
        `   → GET ${ORIGIN}/jwks (attempt 2)`,
        '   ← 200 OK in N ms',
        '      content-type: application/json',
        '      {',
        '        "keys": []',
        '      }',
        '   ✓ a check that passed',
        '2. A step with no request',
      ].join('\n'),
    )
  })

  it('-v renders the same events as curl-like lines, steps and checks as * lines', async () => {
    agent.get(ORIGIN).intercept({ path: '/jwks', method: 'GET' }).reply(200, { keys: [] }, { headers: JSON_HEADERS })
    const http = new HttpClient({ dispatcher: agent, maxAttempts: 1, trace: verboseTrace((line) => lines.push(line)) })
    await http.request({ method: 'GET', url: `${ORIGIN}/jwks`, purpose: 'JWKS' })
    http.trace?.check('signature')
    expect(lines.join('\n').replace(/\(\d+ ms\)/, '(N ms)')).toBe([`> GET ${ORIGIN}/jwks`, '< 200 OK (N ms)', '< content-type: application/json', '< {"keys":[]}', '* ok: signature'].join('\n'))
  })

  it('a step, check or note naming a secret the process has seen shows it redacted', async () => {
    agent.get(ORIGIN).intercept({ path: '/token', method: 'POST' }).reply(200, {}, { headers: JSON_HEADERS })
    const http = explained()
    await http.request({ method: 'POST', url: `${ORIGIN}/token`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'refresh_token=planted-refresh-for-a-note' })
    http.trace?.note('echo: planted-refresh-for-a-note')
    expect(lines.at(-1)).toBe('   · echo: [REDACTED]')
  })
})

describe('at_hash (OIDC Core §3.1.3.8)', () => {
  const half = (alg: string, token: string) => {
    const digest = createHash(alg).update(token).digest()
    return digest.subarray(0, digest.length / 2).toString('base64url')
  }

  it('matches the left half of the hash of the signing algorithm', () => {
    expect(checkAtHash({ at_hash: half('sha256', 'tok-1') }, 'RS256', 'tok-1')).toBe(true)
    expect(checkAtHash({ at_hash: half('sha384', 'tok-1') }, 'ES384', 'tok-1')).toBe(true)
    expect(checkAtHash({ at_hash: half('sha512', 'tok-1') }, 'EdDSA', 'tok-1')).toBe(true)
  })

  it('absent: nothing to check', () => {
    expect(checkAtHash({}, 'RS256', 'tok-1')).toBe(false)
  })

  it('another token, or another hash: verification fails (exit 4)', () => {
    expect(() => checkAtHash({ at_hash: half('sha256', 'tok-2') }, 'RS256', 'tok-1')).toThrow(expect.objectContaining({ code: 'verification_failed', exitCode: 4 }))
    expect(() => checkAtHash({ at_hash: half('sha256', 'tok-1') }, 'RS384', 'tok-1')).toThrow(/at_hash/)
  })
})
