import { rm } from 'node:fs/promises'
import { beforeEach, describe, expect, it } from 'vitest'
import type { Sandboxed } from '../helpers/cli.js'
import { useIsolated } from '../helpers/lifecycle.js'
import { readStored, seedToken } from '../helpers/stored-token.js'
import { type Fault, type FaultServer, hangUp, html, huge, json, refusedPort, resetMidBody, slowBody, stallHeaders, text, tokenResponse, useFaultServer } from './fault-server.js'
import { clientSecretEntry, credentialsText, expectOneErrorLine, writeProfiles, writeSecrets } from './profile-files.js'

/**
 * Faults of the token endpoint, driven through the spawned CLI: `token get` for a profile whose
 * stored access token has expired, so it refreshes with the stored refresh token. Whatever the
 * server does wrong, the command ends in bounded time with the documented exit code and one
 * `error:` line, and credentials.json is byte-for-byte what it was.
 */
const SECRET = 'fault-client-secret-5a7c19e2'
const REFRESH = 'stored-refresh-token-9b1d44f0'
const EXPIRED_ACCESS = 'stored-expired-access-token-77e0'
/**
 * OAUTHCTL_TIMEOUT=1: one second per attempt, three attempts, two backoffs (≤ 0.25 s + 0.5 s), plus
 * the CLI's start on a loaded 2-core machine. The default (30 s an attempt) would take 90 s.
 */
const TIMEOUT_BOUND_MS = 12_000

let fault: FaultServer
let t: Sandboxed
let before: string
let tokenKey: string

useFaultServer((f) => (fault = f))
useIsolated((i) => (t = i), { OAUTHCTL_TIMEOUT: '1' })
beforeEach(async () => {
  await setUpProfile(fault.url('/token'))
})

async function setUpProfile(tokenEndpoint: string) {
  await writeProfiles(t.configDir, { f: { endpoints: { token: tokenEndpoint }, clientId: 'fault-client' } })
  await writeSecrets(t.configDir, clientSecretEntry('f', SECRET))
  tokenKey = await seedToken(t.configDir, 'f', { access_token: EXPIRED_ACCESS, refresh_token: REFRESH })
  before = await credentialsText(t.configDir)
}

const tokenGet = (args: string[] = []) => t.run(['token', 'get', ...args], { timeoutMs: 20_000 })

/** The fault was met while refreshing, as the set-up intends. */
function expectRefreshAttempts(n: number) {
  const calls = fault.requests.filter((r) => r.path === '/token')
  expect(calls).toHaveLength(n)
  for (const call of calls) expect(new URLSearchParams(call.body).get('grant_type')).toBe('refresh_token')
}

async function expectUnchanged() {
  expect(await credentialsText(t.configDir)).toBe(before)
}

describe('token endpoint faults: failures (nothing changes)', () => {
  interface Case {
    name: string
    faults: Fault[]
    exit: number
    cause: RegExp
    attempts: number
    boundMs: number
  }
  const cases: Case[] = [
    { name: 'reset mid-body', faults: [resetMidBody], exit: 5, cause: /^error: cannot reach 127\.0\.0\.1:\d+: connection (reset|closed by the server)$/, attempts: 3, boundMs: 10_000 },
    { name: 'connection closed before the status line', faults: [hangUp], exit: 5, cause: /^error: cannot reach 127\.0\.0\.1:\d+: connection (reset|closed by the server)$/, attempts: 3, boundMs: 10_000 },
    { name: 'stalled headers', faults: [stallHeaders], exit: 5, cause: /^error: 127\.0\.0\.1:\d+ did not answer within 1 s$/, attempts: 3, boundMs: TIMEOUT_BOUND_MS },
    { name: 'slow body (a byte every 100 ms, forever)', faults: [slowBody(100)], exit: 5, cause: /^error: 127\.0\.0\.1:\d+ did not answer within 1 s$/, attempts: 3, boundMs: TIMEOUT_BOUND_MS },
    { name: '500 with an HTML page', faults: [html(500)], exit: 5, cause: /^error: token endpoint \(refresh_token\) failed \(status 500, text\/html\)$/, attempts: 3, boundMs: 10_000 },
    { name: '503 on every attempt', faults: [json(503, { error: 'temporarily_unavailable' })], exit: 5, cause: /^error: token endpoint \(refresh_token\) failed \(status 503, application\/json\): temporarily_unavailable$/, attempts: 3, boundMs: 10_000 },
    { name: '429 with a Retry-After too long to wait for (3600 s)', faults: [json(429, { error: 'slow_down' }, { 'retry-after': '3600' })], exit: 5, cause: /^error: token endpoint \(refresh_token\) failed \(status 429, application\/json\): slow_down$/, attempts: 1, boundMs: 8_000 },
    { name: '200 with malformed JSON', faults: [text(200, '{"access_token": "abc", ', 'application/json')], exit: 5, cause: /^error: token endpoint \(refresh_token\) returned malformed JSON \(status 200, application\/json\)$/, attempts: 1, boundMs: 8_000 },
    { name: '200 with an HTML page (captive portal)', faults: [html(200, '<html><body>Please log in to the Wi-Fi</body></html>')], exit: 5, cause: /^error: token endpoint \(refresh_token\) returned HTML \(status 200, text\/html\)$/, attempts: 1, boundMs: 8_000 },
    { name: '200 with a JSON array (wrong shape)', faults: [json(200, [1, 2, 3])], exit: 5, cause: /^error: token endpoint \(refresh_token\) returned an invalid response: /, attempts: 1, boundMs: 8_000 },
    { name: '200 with 10 MiB announced by content-length', faults: [huge(10 * 1024 * 1024, { contentLength: true })], exit: 5, cause: /^error: 127\.0\.0\.1:\d+ sent a response larger than 1024 KiB \(status 200\)$/, attempts: 1, boundMs: 8_000 },
    { name: '200 with 10 MiB streamed without content-length', faults: [huge(10 * 1024 * 1024, { contentLength: false })], exit: 5, cause: /^error: 127\.0\.0\.1:\d+ sent a response larger than 1024 KiB \(status 200\)$/, attempts: 1, boundMs: 8_000 },
    { name: 'token response without access_token', faults: [tokenResponse({ access_token: undefined })], exit: 5, cause: /^error: token endpoint \(refresh_token\) returned an invalid response: .*access_token/, attempts: 1, boundMs: 8_000 },
    { name: 'token response with a negative expires_in', faults: [tokenResponse({ expires_in: -3600 })], exit: 5, cause: /^error: token endpoint \(refresh_token\) returned an invalid response: .*expires_in/, attempts: 1, boundMs: 8_000 },
    { name: 'token response with an absurd expires_in (10^12 s)', faults: [tokenResponse({ expires_in: 1e12 })], exit: 5, cause: /^error: token endpoint \(refresh_token\) returned an unusable token response: expires_in: /, attempts: 1, boundMs: 8_000 },
    { name: 'token response with token_type mac', faults: [tokenResponse({ token_type: 'mac' })], exit: 5, cause: /^error: token endpoint \(refresh_token\) returned something unsupported: .*token_type/, attempts: 1, boundMs: 8_000 },
    { name: '302 redirect to another host', faults: [text(302, '', 'text/plain', { location: 'http://example.test/token' })], exit: 5, cause: /^error: token endpoint \(refresh_token\) answered with an unexpected status \(status 302/, attempts: 1, boundMs: 8_000 },
  ]

  it.each(cases)('$name: exit $exit, one error line, bounded, credentials unchanged', async ({ faults, exit, cause, attempts, boundMs }) => {
    fault.route('/token', ...faults)
    const result = await tokenGet()
    expect(result.code, result.stderr).toBe(exit)
    expect(result.stdout).toBe('')
    expectOneErrorLine(result.stderr, cause)
    expect(result.ms).toBeLessThan(boundMs)
    expectRefreshAttempts(attempts)
    await expectUnchanged()
  })

  it('connection refused: exit 5 after the retries, credentials unchanged', async () => {
    await setUpProfile(`http://127.0.0.1:${await refusedPort()}/token`)
    const result = await tokenGet()
    expect(result.code).toBe(5)
    expectOneErrorLine(result.stderr, /^error: cannot reach 127\.0\.0\.1:\d+: connection refused$/)
    expect(result.ms).toBeLessThan(10_000)
    await expectUnchanged()
  })

  it('a 400 HTML page (a WAF) is a refusal (exit 4) that keeps the refresh token: it was not invalid_grant', async () => {
    fault.route('/token', html(400, '<html><body>Request blocked</body></html>'))
    const result = await tokenGet()
    expect(result.code).toBe(4)
    expectOneErrorLine(result.stderr, /^error: token endpoint \(refresh_token\) refused the request \(status 400, text\/html\)$/)
    expectRefreshAttempts(1)
    await expectUnchanged()
  })

  it('an error_description that echoes the client secret and the refresh token is shown redacted', async () => {
    fault.route('/token', json(401, { error: 'invalid_client', error_description: `secret ${SECRET} does not match; refresh ${REFRESH} \u001b[31mred\u001b[0m\nforged: line` }))
    const result = await tokenGet()
    expect(result.code).toBe(4)
    expectOneErrorLine(result.stderr, /^error: invalid_client: secret \[REDACTED\] does not match; refresh \[REDACTED\] .*red.*\\nforged: line$/)
    expect(result.stderr).not.toContain(SECRET)
    expect(result.stderr).not.toContain(REFRESH)
    expect(result.stderr).not.toContain('\u001b')
    await expectUnchanged()
  })

  it('--json: the failure is one JSON error document on stderr, nothing on stdout', async () => {
    fault.route('/token', html(502))
    const result = await tokenGet(['--json'])
    expect(result.code).toBe(5)
    expect(result.stdout).toBe('')
    expect(JSON.parse(result.stderr)).toEqual({ error: { code: 'http_502', message: 'token endpoint (refresh_token) failed (status 502, text/html)', status: 5, httpStatus: 502 } })
    await expectUnchanged()
  })

  it('the client credentials grant (no refresh token stored) meets a stall the same way', async () => {
    // A fresh config folder in the same HOME, which useIsolated removes after the test.
    await rm(t.configDir, { recursive: true, force: true })
    await writeProfiles(t.configDir, { f: { endpoints: { token: fault.url('/token') }, clientId: 'fault-client' } })
    await writeSecrets(t.configDir, clientSecretEntry('f', SECRET))
    before = await credentialsText(t.configDir)
    fault.route('/token', stallHeaders)
    const result = await tokenGet()
    expect(result.code).toBe(5)
    expectOneErrorLine(result.stderr, /did not answer within 1 s$/)
    expect(result.ms).toBeLessThan(TIMEOUT_BOUND_MS)
    expect(fault.requests.map((r) => new URLSearchParams(r.body).get('grant_type'))).toEqual(['client_credentials', 'client_credentials', 'client_credentials'])
    await expectUnchanged()
  })
})

describe('token endpoint faults: retries that end in success', () => {
  const gaps = () => {
    const at = fault.requests.filter((r) => r.path === '/token').map((r) => r.at)
    return at.slice(1).map((x, i) => x - at[i]!)
  }

  async function expectRefreshed(result: { code: number | null; stdout: string; stderr: string }) {
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toBe('fresh-access-token-from-fault-server\n')
    const stored = await readStored(t.configDir, tokenKey)
    expect(stored).toMatchObject({ access_token: 'fresh-access-token-from-fault-server', grant: 'refresh_token', refresh_token: REFRESH })
    expect(JSON.parse(await credentialsText(t.configDir)).entries['profile/f/client-secret']).toBe(SECRET)
  }

  it('502, then 503, then 200: the third attempt succeeds', async () => {
    fault.route('/token', html(502), json(503, { error: 'temporarily_unavailable' }), tokenResponse())
    const result = await tokenGet()
    await expectRefreshed(result)
    expectRefreshAttempts(3)
  })

  it('a reset connection, then 200', async () => {
    fault.route('/token', resetMidBody, tokenResponse())
    await expectRefreshed(await tokenGet())
    expectRefreshAttempts(2)
  })

  it('429 with Retry-After in seconds: waits that long, then succeeds', async () => {
    fault.route('/token', json(429, { error: 'slow_down' }, { 'retry-after': '1' }), tokenResponse())
    await expectRefreshed(await tokenGet())
    expectRefreshAttempts(2)
    expect(gaps()[0]).toBeGreaterThanOrEqual(950)
    expect(gaps()[0]).toBeLessThan(3_000)
  })

  it('429 with Retry-After as an HTTP-date: waits until then, then succeeds', async () => {
    fault.route('/token', (req, res, ctx) => json(429, { error: 'slow_down' }, { 'retry-after': new Date(Date.now() + 2_000).toUTCString() })(req, res, ctx), tokenResponse())
    await expectRefreshed(await tokenGet())
    expectRefreshAttempts(2)
    // HTTP-dates have whole seconds: "now + 2 s" is between 1 and 2 s away when it is read.
    expect(gaps()[0]).toBeGreaterThanOrEqual(900)
    expect(gaps()[0]).toBeLessThan(3_500)
  })

  it('a stall, then 200: the retry after the 1 s timeout succeeds', async () => {
    fault.route('/token', stallHeaders, tokenResponse())
    const result = await tokenGet()
    await expectRefreshed(result)
    expectRefreshAttempts(2)
    expect(gaps()[0]).toBeGreaterThanOrEqual(950)
  })
})
