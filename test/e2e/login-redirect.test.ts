import type { Browser } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { demoClients, type Sandbox } from '../../src/lib/sandbox/server.js'
import { browserLogin, sandboxConsent, sandboxSignIn, skipBrowserTests, waitForHeading } from '../helpers/browser.js'
import { useChromium } from '../helpers/chromium-suite.js'
import type { Sandboxed } from '../helpers/cli.js'
import { credentialEntries, readConfig } from '../helpers/config-files.js'
import { useIsolated, useSandbox } from '../helpers/lifecycle.js'

let sandbox: Sandbox
let t: Sandboxed

// A native client registered with other loopback redirect URIs than oauthctl's default (any port, RFC 8252 §7.3).
const CUSTOM = {
  client_id: 'custom-redirect',
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: ['http://localhost/oauth2/callback', 'http://[::1]/v6/cb'],
  application_type: 'native' as const,
}
useSandbox((s) => (sandbox = s), { clients: [...demoClients(), CUSTOM] })
useIsolated((i) => (t = i))

async function addProfile(name: string, extra: string[] = []) {
  const added = await t.run(['profiles', 'add', name, '--issuer', sandbox.issuer, '--client-id', CUSTOM.client_id, '--auth-method', 'none', '--scope', 'openid', ...extra])
  expect(added.code, added.stderr).toBe(0)
}

/** The keys of a profile's stored tokens; none when nothing was ever stored. */
const tokenKeys = async (profile: string) =>
  Object.keys(await credentialEntries(t.configDir).catch(() => ({}))).filter((k) => k.startsWith(`profile/${profile}/token/`))

describe('login --redirect-uri: the exit is refused before anything happens', () => {
  it.each([
    ['https://127.0.0.1/callback', 'https is not possible'],
    ['http://example.com/callback', 'example.com is not a loopback host'],
    ['http://localhost/callback#x', 'fragment'],
    ['http://me@localhost/callback', 'user name or password'],
  ])('login --redirect-uri %s: exit 2, no port opened, nothing stored', async (uri, reason) => {
    await addProfile('p')
    const result = await t.run(['login', '--no-open', '--redirect-uri', uri])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(reason)
    expect(result.stderr).not.toMatch(/Open this URL/)
    expect(sandbox.requestCount('/auth')).toBe(0)
    expect(await tokenKeys('p')).toEqual([])
  })

  it('profiles add --redirect-uri with a non-loopback host: exit 2, the profile is not written', async () => {
    const result = await t.run(['profiles', 'add', 'p', '--issuer', sandbox.issuer, '--client-id', 'x', '--redirect-uri', 'http://10.0.0.1:8000/cb'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^error: --redirect-uri "http:\/\/10\.0\.0\.1:8000\/cb": 10\.0\.0\.1 is not a loopback host/m)
    const config = await readConfig(t.configDir).catch(() => ({ profiles: {} }))
    expect(config.profiles).toEqual({})
  })

  it('--port that contradicts the URI\'s port: exit 2', async () => {
    await addProfile('p')
    const result = await t.run(['login', '--no-open', '--redirect-uri', 'http://localhost:9000/cb', '--port', '9001'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--port 9001 contradicts the port of --redirect-uri (9000)')
  })
})

describe.skipIf(skipBrowserTests)('login --redirect-uri in a browser (Chromium)', () => {
  let browser!: Browser
  useChromium((launched) => {
    browser = launched
  })

  it('http://localhost/oauth2/callback: that exact redirect in both requests, 404 on other paths, tokens stored', async () => {
    await addProfile('p')
    const { result, url } = await browserLogin(browser, t.env, ['--redirect-uri', 'http://localhost/oauth2/callback', '-v'], async (page, authUrl) => {
      const redirect = new URL(authUrl.searchParams.get('redirect_uri') ?? '')
      for (const path of ['/callback', '/oauth2/callback/x', '/oauth2']) {
        const other = await page.goto(`http://localhost:${redirect.port}${path}?code=x&state=${authUrl.searchParams.get('state')}`)
        expect(other?.status(), path).toBe(404)
      }
      await page.goto(authUrl.href)
      await sandboxSignIn(page)
      await sandboxConsent(page)
      await page.waitForURL(/^http:\/\/localhost:\d+\/oauth2\/callback\?/)
      await waitForHeading(page, 'Logged in')
    })
    expect(result.code, result.stderr).toBe(0)
    const sent = url.searchParams.get('redirect_uri') ?? ''
    expect(sent).toMatch(/^http:\/\/localhost:\d+\/oauth2\/callback$/)
    // The token request (in the -v trace) carries the same redirect_uri as the authorization request.
    expect(result.stderr).toContain(`redirect_uri=${encodeURIComponent(sent)}`)
    expect(await tokenKeys('p')).toHaveLength(1)
    const got = await t.run(['token', 'get'])
    expect(got.code, got.stderr).toBe(0)
  })

  it('the profile setting (profiles add --redirect-uri) with a fixed port on [::1]: that redirect URI exactly, tokens stored', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000)
    await addProfile('v6', ['--redirect-uri', `http://[::1]:${port}/v6/cb`])
    expect((await readConfig(t.configDir)).profiles.v6.redirectUri).toBe(`http://[::1]:${port}/v6/cb`)
    const { result, url } = await browserLogin(browser, t.env, [], async (page, authUrl) => {
      await page.goto(authUrl.href)
      await sandboxSignIn(page)
      await sandboxConsent(page)
      await waitForHeading(page, 'Logged in')
    })
    expect(result.code, result.stderr).toBe(0)
    expect(url.searchParams.get('redirect_uri')).toBe(`http://[::1]:${port}/v6/cb`)
    expect(await tokenKeys('v6')).toHaveLength(1)
  })
})
