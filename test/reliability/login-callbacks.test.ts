import { generateKeyPairSync } from 'node:crypto'
import { connect } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type JwtIssuer, useJwtIssuer } from '../fakes/jwt-issuer.js'
import type { Sandboxed } from '../helpers/cli.js'
import { useIsolated } from '../helpers/lifecycle.js'
import { type RunningCli, startCli } from '../helpers/cli-stream.js'
import { type Fault, type FaultServer, json, tokenResponse, useFaultServer } from './fault-server.js'
import { portClosed, probe } from './http-probe.js'
import { credentialsText, expectOneErrorLine, writeProfiles, writeSecrets } from './profile-files.js'

/**
 * `login --no-open` spawned for real, with the authorization server played by the fault server
 * (token endpoint) and the JWT issuer (keys): the test reads the printed authorization URL and
 * plays the browser, sending hostile callbacks to the CLI's loopback server. Whatever arrives, the
 * login either completes with the one good callback, or ends with exit 4 and nothing stored.
 */
const AUTH_URL = /^ {2}(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)$/m
const UNRELATED = { 'profile/other/client-secret': 'unrelated-secret-kept-as-is-0001' }

let fault: FaultServer
let keys: JwtIssuer
let t: Sandboxed
let before: string
const running: RunningCli[] = []

useFaultServer((f) => (fault = f))
useJwtIssuer((k) => (keys = k))
useIsolated((i) => (t = i))
beforeEach(async () => {
  // Discovered at run time (the profile has an issuer but no cached discovery), as for a real server.
  fault.route('/.well-known/openid-configuration', json(200, discovery()))
  await writeProfiles(t.configDir, {
    l: {
      issuer: fault.origin,
      clientId: 'login-client',
      authMethod: 'none',
      scopes: ['openid', 'offline_access'],
    },
  })
  await writeSecrets(t.configDir, UNRELATED)
  before = await credentialsText(t.configDir)
})
afterEach(async () => {
  // A test that failed before awaiting its login must not leave the CLI running (and writing) after cleanup.
  for (const cli of running.splice(0)) {
    cli.signal('SIGKILL')
    await cli.done.catch(() => undefined)
  }
})

const discovery = () => ({
  issuer: fault.origin,
  authorization_endpoint: fault.url('/authorize'),
  token_endpoint: fault.url('/token'),
  jwks_uri: `${keys.issuer}/jwks`,
  response_types_supported: ['code'],
  id_token_signing_alg_values_supported: ['ES256'],
  code_challenge_methods_supported: ['S256'],
})

interface Login {
  cli: RunningCli
  url: URL
  state: string
  nonce: string
  port: number
  callback(params: Record<string, string>): string
}

async function startLogin(args: string[] = []): Promise<Login> {
  const cli = startCli(['login', '--no-open', '--timeout', '15', ...args], t.env, { timeoutMs: 25_000 })
  running.push(cli)
  const url = new URL((await cli.waitForStderr(AUTH_URL))[1] ?? '')
  const redirect = new URL(url.searchParams.get('redirect_uri') ?? '')
  return {
    cli,
    url,
    state: url.searchParams.get('state') ?? '',
    nonce: url.searchParams.get('nonce') ?? '',
    port: Number(redirect.port),
    callback: (params) => `/callback?${new URLSearchParams(params)}`,
  }
}

/** An ID token as a real server would sign it for this login; `claims` and `options` make it hostile. */
const idToken = (login: Login, claims: Record<string, unknown> = {}, options: Parameters<JwtIssuer['sign']>[1] = {}) =>
  keys.sign({ iss: fault.origin, aud: 'login-client', sub: 'user-1', nonce: login.nonce, ...claims }, { expiresIn: '10m', ...options })

const ACCESS = 'login-access-token-0f3e9a71'
const REFRESH = 'login-refresh-token-6d2c8b04'

const tokensWith = (id_token: string | undefined): Fault => tokenResponse({ access_token: ACCESS, refresh_token: REFRESH, id_token, scope: 'openid offline_access' })

const tokenCalls = () => fault.requests.filter((r) => r.path === '/token').map((r) => new URLSearchParams(r.body))

describe('hostile callbacks to a spawned login', () => {
  it('ignores forged, incomplete, oversized and wrongly addressed callbacks; completes with the real one; then the port is closed', async () => {
    const login = await startLogin()
    expect(login.url.searchParams.get('nonce')).toMatch(/^[\w-]{20,}$/)
    fault.route('/token', tokensWith(await idToken(login)))

    const wrongState = await probe(login.port, login.callback({ code: 'forged-code', state: 'not-the-state' }))
    expect(wrongState.status).toBe(400)
    expect(wrongState.body).toContain('its state does not match the login in progress')
    const noState = await probe(login.port, login.callback({ code: 'forged-code' }))
    expect(noState.status).toBe(400)
    expect((await probe(login.port, login.callback({ error: 'access_denied', state: 'forged' }))).status).toBe(400)
    // A long query under Node's header limit is just another callback with the wrong state…
    const long = await probe(login.port, login.callback({ code: 'x'.repeat(12_000), state: 'y'.repeat(2_000) }))
    expect(long.status).toBe(400)
    // …and one over it is refused by the HTTP parser itself: a 431, or the connection cut while the
    // probe is still sending (the server need not read 200 KB it has already refused).
    const huge = await probe(login.port, login.callback({ code: 'x'.repeat(200_000), state: login.state })).then(
      (answer) => answer.status,
      (err: NodeJS.ErrnoException) => err.code,
    )
    expect([431, 'ECONNRESET', 'EPIPE']).toContain(huge)
    // A DNS-rebinding page reaches 127.0.0.1 under another name: refused before the state is read.
    const rebound = await probe(login.port, login.callback({ code: 'rebound-code', state: login.state }), { host: `evil.example.test:${login.port}` })
    expect(rebound.status).toBe(400)
    expect(rebound.body).toContain('this server answers only to 127.0.0.1, [::1] and localhost')
    expect((await probe(login.port, `/other${login.callback({ code: 'c', state: login.state })}`)).status).toBe(404)
    expect(tokenCalls()).toHaveLength(0)

    // A slowloris client holds a connection open with half a request line: it must not hold the login.
    const slowloris = connect({ port: login.port, host: '127.0.0.1' })
    slowloris.on('error', () => undefined)
    slowloris.write('GET /callback?code=slow&state=')

    const good = await probe(login.port, login.callback({ code: 'the-real-code', state: login.state }))
    expect(good.status).toBe(200)
    expect(good.body).toContain('Logged in')
    const answered = performance.now()
    const result = await login.cli.done
    slowloris.destroy()
    // The CLI exits promptly after the callback (the loopback server's close grace is 1 s).
    expect(performance.now() - answered).toBeLessThan(4_000)
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toMatch(/^logged in to http:\/\/127\.0\.0\.1:\d+ as user-1 \(profile l\)/m)
    expect(tokenCalls()).toHaveLength(1)
    expect(tokenCalls()[0]?.get('code')).toBe('the-real-code')
    expect(tokenCalls()[0]?.get('code_verifier')).toMatch(/^[\w-]{43,128}$/)
    for (const secret of [ACCESS, REFRESH, 'the-real-code']) expect(result.stdout + result.stderr).not.toContain(secret)
    // A second request after completion finds nothing listening.
    expect(await portClosed(login.port)).toBe(true)
    await expect(probe(login.port, login.callback({ code: 'the-real-code', state: login.state }))).rejects.toMatchObject({ code: 'ECONNREFUSED' })
    expect(tokenCalls()).toHaveLength(1)
  })

  it('the same code sent twice at once is exchanged once; the second request is told the login is finished', async () => {
    const login = await startLogin()
    const tokens = tokensWith(await idToken(login))
    // A slow token endpoint keeps the first callback "completing" while the second one arrives.
    fault.route('/token', (req, res, ctx) => void setTimeout(() => tokens(req, res, ctx), 1_000))
    const path = login.callback({ code: 'one-time-code', state: login.state })
    const [first, second] = await Promise.all([probe(login.port, path), new Promise((r) => setTimeout(r, 100)).then(() => probe(login.port, path))])
    expect([first.status, second.status].sort()).toEqual([200, 409])
    expect(second.body).toContain('already received its response')
    expect((await login.cli.done).code).toBe(0)
    expect(tokenCalls()).toHaveLength(1)
  })

  it('an error callback with HTML, script and terminal escapes: escaped page, one clean error line, exit 4, nothing stored', async () => {
    const login = await startLogin()
    const description = '<script>alert(document.cookie)</script><img src=x onerror=alert(1)> \u001b]0;pwned\u0007\u001b[2J\nerror: forged second line'
    const page = await probe(login.port, login.callback({ error: 'access_denied', error_description: description, state: login.state }))
    expect(page.status).toBe(400)
    expect(page.body).toContain('Login failed')
    expect(page.body).toContain('&lt;script&gt;alert(document.cookie)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;')
    expect(page.body).not.toMatch(/<script|<img/i)
    expect(page.headers['content-security-policy']).toContain("default-src 'none'")
    const result = await login.cli.done
    expect(result.code).toBe(4)
    expectOneErrorLine(result.stderr, /^error: access_denied: <script>alert\(document\.cookie\)<\/script><img src=x onerror=alert\(1\)> .*error: forged second line$/, [AUTH_URL, /^Open this URL/, /^ {2}http/])
    expect(result.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/)
    expect(tokenCalls()).toHaveLength(0)
    expect(await credentialsText(t.configDir)).toBe(before)
  })

  it('a token endpoint refusal during the exchange shows on the page and in the terminal (exit 4)', async () => {
    const login = await startLogin()
    fault.route('/token', json(400, { error: 'invalid_grant', error_description: 'code <b>expired</b>' }))
    const page = await probe(login.port, login.callback({ code: 'expired-code', state: login.state }))
    expect(page.status).toBe(400)
    expect(page.body).toContain('invalid_grant: code &lt;b&gt;expired&lt;/b&gt;')
    const result = await login.cli.done
    expect(result.code).toBe(4)
    expect(result.stderr).toMatch(/^error: invalid_grant: code <b>expired<\/b>$/m)
    expect(await credentialsText(t.configDir)).toBe(before)
  })
})

describe('ID token checks in the code flow (exit 4, nothing stored)', () => {
  const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')

  const cases: { name: string; make: (login: Login) => Promise<string>; cause: RegExp }[] = [
    { name: 'a wrong nonce', make: (l) => idToken(l, { nonce: 'nonce-of-another-login' }), cause: /nonce/ },
    { name: 'no nonce', make: (l) => idToken(l, { nonce: undefined }), cause: /nonce/ },
    { name: 'a wrong audience', make: (l) => idToken(l, { aud: 'another-client' }), cause: /aud/ },
    { name: 'a wrong issuer', make: (l) => idToken(l, { iss: 'https://attacker.example.test' }), cause: /iss/ },
    { name: 'an expired token', make: (l) => idToken(l, {}, { expiresIn: Math.floor(Date.now() / 1000) - 3600 }), cause: /exp/ },
    { name: 'a signature by another key under the published kid', make: (l) => idToken(l, {}, { key: otherKey }), cause: /signature/ },
    { name: 'an unknown kid', make: (l) => idToken(l, {}, { kid: 'no-such-kid' }), cause: /no key|kid/ },
    {
      name: 'alg none',
      make: async (l) => `${b64({ alg: 'none' })}.${b64({ iss: fault.origin, aud: 'login-client', sub: 'user-1', nonce: l.nonce, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600 })}.`,
      cause: /alg|none|signature|JWS/i,
    },
  ]

  it.each(cases)('$name', async ({ make, cause }) => {
    const login = await startLogin()
    fault.route('/token', tokensWith(await make(login)))
    const page = await probe(login.port, login.callback({ code: 'good-code', state: login.state }))
    const result = await login.cli.done
    expect(result.code, result.stderr).toBe(4)
    expectOneErrorLine(result.stderr, cause, [AUTH_URL, /^Open this URL/])
    expect(tokenCalls()).toHaveLength(1)
    expect(await credentialsText(t.configDir)).toBe(before)
    for (const secret of [ACCESS, REFRESH]) expect(result.stderr).not.toContain(secret)
    // The browser is told the truth: the login failed (loopback-server.ts: "its page tells the truth").
    expect(page.status).toBe(400)
    expect(page.body).toContain('Login failed')
  })

  it('a token response with no ID token although openid was asked for is not stored (exit 5: the server misbehaved)', async () => {
    const login = await startLogin()
    fault.route('/token', tokensWith(undefined))
    await probe(login.port, login.callback({ code: 'good-code', state: login.state }))
    const result = await login.cli.done
    expect(result.code, result.stderr).toBe(5)
    expectOneErrorLine(result.stderr, /id_token/, [AUTH_URL, /^Open this URL/])
    expect(await credentialsText(t.configDir)).toBe(before)
  })
})
