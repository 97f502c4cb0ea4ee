import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import type { Browser } from 'playwright-core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Sandbox } from '../../src/lib/sandbox/server.js'
import { browserLogin, sandboxConsent, sandboxSignIn, skipBrowserTests, waitForHeading } from '../helpers/browser.js'
import { useChromium } from '../helpers/chromium-suite.js'
import type { Sandboxed } from '../helpers/cli.js'
import { readConfig } from '../helpers/config-files.js'
import { useIsolated, useSandbox } from '../helpers/lifecycle.js'

let sandbox: Sandbox
let t: Sandboxed

useSandbox((s) => (sandbox = s))
useIsolated((i) => (t = i))

/** How the test's API describes itself; each test sets what it needs. */
interface ApiSetup {
  /** Serve /.well-known/oauth-protected-resource (else 404, and the 401's resource_metadata points at /meta). */
  wellKnown: boolean
  /** The metadata's `resource`; default: the API's own URL. */
  resource?: string
  authorizationServers?: string[]
}

/**
 * A protected resource on loopback (RFC 9728): it serves its metadata, answers 401 with a
 * resource_metadata challenge without a token, and 200 only with an access token the sandbox
 * signed for it (checked against the sandbox's keys).
 */
class Api {
  setup: ApiSetup = { wellKnown: true }
  readonly server: Server = createServer((req, res) => void this.answer(req, res))
  url = ''
  metadataRequests = 0

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`
  }

  close(): Promise<void> {
    this.server.closeAllConnections()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }

  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { 'content-type': 'application/json', ...headers })
    res.end(JSON.stringify(body))
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', this.url).pathname
    const metadata = { resource: this.setup.resource ?? this.url, authorization_servers: this.setup.authorizationServers ?? [sandbox.issuer], scopes_supported: ['api:read'] }
    if (path === '/.well-known/oauth-protected-resource') {
      this.metadataRequests++
      return this.setup.wellKnown ? this.json(res, 200, metadata) : this.json(res, 404, { error: 'not_found' })
    }
    if (path === '/meta') {
      this.metadataRequests++
      return this.json(res, 200, metadata)
    }
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1]
    const challenge = { 'www-authenticate': `Bearer error="invalid_token", resource_metadata="${this.url}meta"` }
    if (!token) return this.json(res, 401, { error: 'unauthorized' }, { 'www-authenticate': `Bearer resource_metadata="${this.url}meta"` })
    try {
      const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${sandbox.issuer}/jwks`)), { issuer: sandbox.issuer })
      return this.json(res, 200, { hello: payload.sub, scope: payload.scope })
    } catch {
      return this.json(res, 401, { error: 'invalid_token' }, challenge)
    }
  }
}

let api: Api
beforeEach(async () => {
  api = new Api()
  await api.start()
})
afterEach(async () => {
  await api.close()
})

describe('RFC 9728 discovery: refusals write nothing and register nothing', () => {
  it("metadata whose resource is another API's (§3.3): exit 4 (a failed check), no profile, no registration", async () => {
    api.setup = { wellKnown: true, resource: 'https://other.example.test/' }
    const result = await t.run(['login', '--no-open', '--resource', api.url, '-p', 'api'])
    expect(result.code, result.stderr).toBe(4)
    expect(result.stderr).toMatch(/^error: the protected resource metadata \(http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\): "response" body "resource" property does not match/m)
    expect(sandbox.requestCount('/reg')).toBe(0)
    expect(await readConfig(t.configDir).catch(() => ({ profiles: {} }))).toMatchObject({ profiles: {} })
  })

  it('an authorization server on plain http off loopback: exit 2, nothing fetched from it', async () => {
    api.setup = { wellKnown: true, authorizationServers: ['http://idp.example.test'] }
    const result = await t.run(['login', '--no-open', '--resource', api.url])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('refusing plain http for the authorization server http://idp.example.test')
    expect(sandbox.requestCount('/reg')).toBe(0)
  })

  it('--issuer that the API does not name: exit 2', async () => {
    const result = await t.run(['login', '--no-open', '--resource', api.url, '--issuer', 'https://idp.example.test'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("--issuer https://idp.example.test is not one of the resource's authorization servers")
  })

  it("-p naming another server's profile: exit 2, that profile unchanged, nothing registered", async () => {
    const added = await t.run(['profiles', 'add', 'work', '--token-endpoint', 'https://idp.example.test/token', '--client-id', 'mine'])
    expect(added.code, added.stderr).toBe(0)
    const before = await readConfig(t.configDir)
    const result = await t.run(['login', '--no-open', '--resource', api.url, '-p', 'work'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`profile work is for another server, and ${api.url} uses ${sandbox.issuer}`)
    expect(await readConfig(t.configDir)).toEqual(before)
    expect(sandbox.requestCount('/reg')).toBe(0)
  })

  it('profiles add --resource-url: discovers, registers a public client once, and reuses it', async () => {
    const first = await t.run(['profiles', 'add', 'api', '--resource-url', api.url, '--json'])
    expect(first.code, first.stderr).toBe(0)
    expect(sandbox.requestCount('/reg')).toBe(1)
    const profile = (await readConfig(t.configDir)).profiles.api
    expect(profile).toMatchObject({ issuer: sandbox.issuer, resource: api.url, authMethod: 'none', scopes: ['api:read'] })
    expect(profile.clientId).toMatch(/\S{10,}/)
    const again = await t.run(['profiles', 'add', 'api', '--resource-url', api.url])
    expect(again.code, again.stderr).toBe(0)
    expect(sandbox.requestCount('/reg')).toBe(1)
    expect((await readConfig(t.configDir)).profiles.api.clientId).toBe(profile.clientId)
  })
})

describe.skipIf(skipBrowserTests)('login --resource (Chromium): an API known only by its URL', () => {
  let browser!: Browser
  useChromium((launched) => {
    browser = launched
  })

  for (const wellKnown of [true, false]) {
    it(`${wellKnown ? 'well-known metadata' : "the 401's resource_metadata"}: registers, logs in with resource=, stores a profile; the API accepts the token`, async () => {
      api.setup = { wellKnown }
      const args = ['--resource', api.url, '-v', ...(wellKnown ? ['-p', 'api'] : [])]
      const { result, url } = await browserLogin(browser, t.env, args, async (page, authUrl) => {
        await page.goto(authUrl.href)
        await sandboxSignIn(page)
        await sandboxConsent(page)
        await waitForHeading(page, 'Logged in')
      })
      expect(result.code, result.stderr).toBe(0)
      const name = wellKnown ? 'api' : `127.0.0.1-${new URL(api.url).port}`
      expect(sandbox.requestCount('/reg')).toBe(1)
      expect(url.searchParams.get('resource')).toBe(api.url)
      // RFC 8707 §2.2: the token request names the resource as well.
      const tokenRequestBody = result.stderr.split('\n').find((line) => line.startsWith('> ') && line.includes('grant_type=authorization_code')) ?? ''
      expect(new URLSearchParams(tokenRequestBody.slice(2)).get('resource')).toBe(api.url)
      expect((await readConfig(t.configDir)).profiles[name]).toMatchObject({ issuer: sandbox.issuer, resource: api.url })

      expect((await fetch(`${api.url}data`)).status).toBe(401)
      const got = await t.run(['token', 'get', '-p', name])
      expect(got.code, got.stderr).toBe(0)
      const answer = await fetch(`${api.url}data`, { headers: { authorization: `Bearer ${got.stdout.trim()}` } })
      expect(answer.status).toBe(200)
      expect(await answer.json()).toMatchObject({ hello: 'demo' })
    })
  }
})
