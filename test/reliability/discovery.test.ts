import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { HttpClient } from '../../src/lib/http/client.js'
import { discover } from '../../src/lib/oauth/discovery.js'
import type { Sandboxed } from '../helpers/cli.js'
import { useIsolated } from '../helpers/lifecycle.js'
import { type Fault, type FaultServer, html, huge, json, useFaultServer } from './fault-server.js'
import { expectOneErrorLine, writeProfiles, writeSecrets } from './profile-files.js'

/**
 * Issuer mix-up and hostile discovery documents. The fault server is the issuer; the endpoints its
 * documents name on other hosts (example.test) are never contacted: they are refused before any
 * request, which is what these tests prove.
 */
let fault: FaultServer
let t: Sandboxed

useFaultServer((f) => (fault = f))
useIsolated((i) => (t = i), { OAUTHCTL_TIMEOUT: '1' })

const OIDC = '/.well-known/openid-configuration'
const RFC8414 = '/.well-known/oauth-authorization-server'
const metadata = (extra: Record<string, unknown> = {}) => ({
  issuer: fault.origin,
  authorization_endpoint: fault.url('/authorize'),
  token_endpoint: fault.url('/token'),
  jwks_uri: fault.url('/jwks'),
  response_types_supported: ['code'],
  ...extra,
})

const add = (extra: string[] = []) => t.run(['profiles', 'add', 'd', '--issuer', fault.origin, '--client-id', 'disco', ...extra])
const noConfig = () => expect(stat(join(t.configDir, 'config.json'))).rejects.toMatchObject({ code: 'ENOENT' })

describe('issuer mix-up', () => {
  it.each([
    ['another issuer', 'https://attacker.example.test'],
    ['our host with another tenant path', () => `${fault.origin}/other-tenant`],
    ['our issuer under another name (localhost)', () => fault.origin.replace('127.0.0.1', 'localhost')],
  ] as const)('a discovery document naming %s is rejected (exit 4), nothing saved', async (_name, issuer) => {
    fault.route(OIDC, json(200, metadata({ issuer: typeof issuer === 'function' ? issuer() : issuer })))
    const result = await add()
    expect(result.code, result.stderr).toBe(4)
    expectOneErrorLine(result.stderr, /^error: discovery \(openid-configuration\): .*issuer/)
    await noConfig()
  })

  it('an environment-only profile meets the same check at token get (exit 4), before any token request', async () => {
    fault.route(OIDC, json(200, metadata({ issuer: 'https://attacker.example.test' })))
    const result = await t.run(['token', 'get', '--storage', 'none'], {
      env: { OAUTHCTL_ISSUER: fault.origin, OAUTHCTL_CLIENT_ID: 'disco', OAUTHCTL_CLIENT_SECRET: 'env-client-secret-value-1234' },
    })
    expect(result.code, result.stderr).toBe(4)
    expectOneErrorLine(result.stderr, /issuer/)
    expect(fault.count('/token')).toBe(0)
  })
})

describe('plain http endpoints on a non-loopback host', () => {
  it.each(['token_endpoint', 'authorization_endpoint', 'jwks_uri', 'revocation_endpoint'])(
    'a discovered %s on http://example.test is refused (exit 2), nothing saved (token_endpoint: --insecure allows it, with a warning)',
    async (field) => {
      fault.route(OIDC, json(200, metadata({ [field]: 'http://example.test/oauth' })))
      const refused = await add()
      expect(refused.code, refused.stderr).toBe(2)
      expectOneErrorLine(refused.stderr, new RegExp(`^error: refusing plain http for the discovered ${field} on example\\.test: use https$`))
      expect(refused.stderr).toMatch(/^hint: --insecure allows it/m)
      await noConfig()

      if (field !== 'token_endpoint') return // --insecure is proven once, below the refusal of each field
      const allowed = await add(['--insecure'])
      expect(allowed.code, allowed.stderr).toBe(0)
      expect(allowed.stderr).toMatch(/^warning: TLS verification is OFF \(--insecure\)/m)
      // Only the two discovery attempts reached a server: nothing was sent to example.test.
      expect(fault.requests.every((r) => r.path === OIDC)).toBe(true)
    },
  )

  it('an explicit http token endpoint on another host is refused at token get (exit 2), and no request is made', async () => {
    await writeProfiles(t.configDir, { x: { endpoints: { token: 'http://example.test/token' }, clientId: 'plain' } })
    await writeSecrets(t.configDir, { 'profile/x/client-secret': 'plain-http-client-secret-0042' })
    const result = await t.run(['token', 'get', '-v'])
    expect(result.code, result.stderr).toBe(2)
    expectOneErrorLine(result.stderr, /^error: refusing .*plain http.*example\.test/)
    expect(result.stderr).not.toMatch(/^> POST/m)
    expect(result.stderr).not.toContain('plain-http-client-secret-0042')
  })
})

describe('hostile discovery responses', () => {
  /** `cli`: also through a spawned `profiles add` (nothing saved); all call discover(), which it runs. */
  const cases: { name: string; faults: [Fault, Fault?]; exit: number; cause: RegExp; cli?: true }[] = [
    { name: 'an HTML page', faults: [html(200)], exit: 5, cause: /^discovery \(openid-configuration\) returned HTML \(status 200, text\/html\)$/, cli: true },
    { name: 'malformed JSON', faults: [json(200, '{"issuer": ')], exit: 5, cause: /^discovery \(openid-configuration\) returned malformed JSON/ },
    { name: 'a document without issuer', faults: [json(200, { token_endpoint: 'https://x.example.test/token' })], exit: 5, cause: /^discovery \(openid-configuration\) returned an invalid response: .*issuer/ },
    { name: '10 MiB', faults: [huge(10 * 1024 * 1024, { contentLength: false })], exit: 5, cause: /^discovery \(openid-configuration\) sent a response larger than 1024 KiB|^127\.0\.0\.1:\d+ sent a response larger than 1024 KiB/ },
    { name: '500 on every attempt', faults: [html(500)], exit: 5, cause: /^discovery \(openid-configuration\) failed \(status 500, text\/html\)$/ },
    { name: '404 for both well-known documents', faults: [json(404, { error: 'not_found' }), json(404, { error: 'not_found' })], exit: 2, cause: /^no discovery document at http:\/\/127\.0\.0\.1:\d+ \(tried OpenID Connect and RFC 8414\)$/, cli: true },
  ]

  it.each(cases)('$name: exit $exit, one error line, nothing saved', async ({ faults, exit, cause, cli }) => {
    fault.route(OIDC, faults[0])
    if (faults[1]) fault.route(RFC8414, faults[1])
    await expect(discover(fault.origin, new HttpClient({ requestTimeoutMs: 1_000 }))).rejects.toMatchObject({ exitCode: exit, message: expect.stringMatching(cause) })
    if (!cli) return
    const result = await add()
    expect(result.code, result.stderr).toBe(exit)
    expectOneErrorLine(result.stderr, new RegExp(`^error: ${cause.source.replace(/^\^/, '')}`))
    expect(result.ms).toBeLessThan(10_000)
    await noConfig()
  })

  it('a 404 for OpenID Connect falls back to RFC 8414, whose issuer is checked the same way', async () => {
    fault.route(OIDC, json(404, { error: 'not_found' }))
    fault.route(RFC8414, json(200, metadata({ issuer: 'https://attacker.example.test' })))
    const result = await add()
    expect(result.code, result.stderr).toBe(4)
    expectOneErrorLine(result.stderr, /^error: discovery \(oauth-authorization-server\): .*issuer/)
    expect(fault.count(RFC8414)).toBe(1)
    await noConfig()
  })
})
