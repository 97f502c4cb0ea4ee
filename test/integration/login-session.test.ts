import type { Browser } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import type { Sandbox } from '../../src/lib/sandbox/server.js'
import { browserLogin, sandboxConsent, sandboxSignIn, skipBrowserTests, waitForHeading } from '../helpers/browser.js'
import { useChromium } from '../helpers/chromium-suite.js'
import type { Sandboxed } from '../helpers/cli.js'
import { credentialEntries } from '../helpers/config-files.js'
import { useIsolated, useSandbox } from '../helpers/lifecycle.js'
import { readStored, seedSession } from '../helpers/stored-token.js'

/**
 * Issue 13 §3: what a login stored is what every later command for the profile uses, with no flags
 * repeated. The login is the profile's session; scopes are a set; narrower requests are served by
 * the session's token when it covers them, else down-scoped with its refresh token (RFC 6749 §6).
 */
let sandbox: Sandbox
let t: Sandboxed

useSandbox((s) => (sandbox = s))
useIsolated((i) => (t = i))

const addPublicProfile = async (name = 'sandbox') => {
  const added = await t.run(['profiles', 'add', name, '--issuer', sandbox.issuer, '--client-id', 'demo-public', '--auth-method', 'none'])
  expect(added.code, added.stderr).toBe(0)
}

describe.skipIf(skipBrowserTests)('a browser login with --scope flags (Chromium)', () => {
  let browser!: Browser
  useChromium((launched) => {
    browser = launched
  })

  it.each([
    ['flag-separated', ['--scope', 'openid', '--scope', 'offline_access']],
    ['space-separated, in another order', ['--scope', 'offline_access openid']],
  ])('%s: token get, inspect and refresh then use it with no flags', async (_name, scopeFlags) => {
    await addPublicProfile()
    const { result } = await browserLogin(browser, t.env, ['-p', 'sandbox', ...scopeFlags], async (page, url) => {
      await page.goto(url.href)
      await sandboxSignIn(page)
      await sandboxConsent(page)
      await waitForHeading(page, 'Logged in')
    })
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toMatch(/scopes (openid offline_access|offline_access openid);/)

    sandbox.resetCounts()
    const got = await t.run(['token', 'get', '-p', 'sandbox'])
    expect(got.code, got.stderr).toBe(0)
    expect(sandbox.requestCount('/token')).toBe(0)
    const sameSet = await t.run(['token', 'get', '-p', 'sandbox', '--scope', 'offline_access', '--scope', 'openid', '--scope', 'openid'])
    expect(sameSet.stdout).toBe(got.stdout)
    expect(sandbox.requestCount('/token')).toBe(0)

    const inspected = await t.run(['token', 'inspect', '-p', 'sandbox', '--json'])
    expect(inspected.code, inspected.stderr).toBe(0)

    const refreshed = await t.run(['token', 'refresh', '-p', 'sandbox', '--json'])
    expect(refreshed.code, refreshed.stderr).toBe(0)
    expect(sandbox.requestCount('/token')).toBe(1)
    const after = await t.run(['token', 'get', '-p', 'sandbox'])
    expect(after.code).toBe(0)
    expect(after.stdout).not.toBe(got.stdout)
    expect(sandbox.requestCount('/token')).toBe(1)

    const status = JSON.parse((await t.run(['status', '--json'])).stdout)
    expect(status.profiles[0]).toMatchObject({ name: 'sandbox', loggedIn: true })
  })
})

describe('the session without a browser (a refresh token as a login leaves it)', () => {
  const now = () => Math.floor(Date.now() / 1000)

  it('token get with no flags refreshes the session and keeps it the session', async () => {
    await addPublicProfile('p')
    const refresh = await sandbox.issueRefreshToken({ clientId: 'demo-public', scope: 'openid offline_access' })
    const key = await seedSession(t.configDir, 'p', { access_token: 'expired-session-access', refresh_token: refresh, scope: 'openid offline_access' }, ['openid', 'offline_access'])
    const got = await t.run(['token', 'get', '-p', 'p'])
    expect(got.code, got.stderr).toBe(0)
    expect(sandbox.requestCount('/token')).toBe(1)
    const stored = await readStored(t.configDir, key)
    expect(stored).toMatchObject({ access_token: got.stdout.trim(), grant: 'refresh_token' })
    expect(Object.keys(await credentialEntries(t.configDir)).filter((k) => k.includes('/token/'))).toEqual([key])
  })

  it('a narrower request is served by a fresh session token that covers it, with no request', async () => {
    await addPublicProfile('p')
    await seedSession(t.configDir, 'p', { access_token: 'fresh-session-access', refresh_token: 'unused', scope: 'openid offline_access', expires_at: now() + 3600 }, ['openid', 'offline_access'])
    const got = await t.run(['token', 'get', '-p', 'p', '--scope', 'openid'])
    expect(got.code, got.stderr).toBe(0)
    expect(got.stdout).toBe('fresh-session-access\n')
    expect(sandbox.requestCount('/token')).toBe(0)
    // A scope the session was not granted is not served from it.
    const wider = await t.run(['token', 'get', '-p', 'p', '--scope', 'email'])
    expect(wider.stdout).not.toBe('fresh-session-access\n')
  })

  it('a scope the login asked for but the access token\'s scope leaves out (openid) is still asked for with the session\'s refresh token', async () => {
    await addPublicProfile('p')
    const refresh = await sandbox.issueRefreshToken({ clientId: 'demo-public', scope: 'openid offline_access' })
    await seedSession(t.configDir, 'p', { access_token: 'fresh-session-access', refresh_token: refresh, scope: 'offline_access', expires_at: now() + 3600 }, ['openid', 'offline_access'])
    const got = await t.run(['token', 'get', '-p', 'p', '--scope', 'offline_access   openid', '-v'])
    expect(got.code, got.stderr).toBe(0)
    expect(got.stdout.trim()).not.toBe('fresh-session-access')
    expect(got.stderr).toMatch(/scope=(openid\+offline_access|offline_access\+openid)/)
    expect(sandbox.requestCount('/token')).toBe(1)
  })

  it('a narrower request down-scopes with the session\'s refresh token (scope sent), stored apart; the session keeps the refresh token', async () => {
    await addPublicProfile('p')
    const refresh = await sandbox.issueRefreshToken({ clientId: 'demo-public', scope: 'openid offline_access' })
    const sessionKey = await seedSession(t.configDir, 'p', { access_token: 'expired-session-access', refresh_token: refresh, scope: 'openid offline_access' }, ['openid', 'offline_access'])
    const got = await t.run(['token', 'get', '-p', 'p', '--scope', 'openid', '-v'])
    expect(got.code, got.stderr).toBe(0)
    expect(got.stderr).toMatch(/scope=openid(&|$|\s)/m)
    expect(sandbox.requestCount('/token')).toBe(1)
    const entries = await credentialEntries(t.configDir)
    const narrowKey = Object.keys(entries).find((k) => k.includes('/token/') && k !== sessionKey)
    const narrow = JSON.parse(entries[narrowKey ?? ''] ?? '{}')
    expect(narrow).toMatchObject({ access_token: got.stdout.trim(), requested: { scopes: ['openid'] } })
    expect(narrow.refresh_token).toBeUndefined()
    const session = await readStored(t.configDir, sessionKey)
    expect(session?.access_token).toBe('expired-session-access')
    expect(session?.refresh_token).toBeDefined()
    // The session's (possibly rotated) refresh token still works: no flags refreshes the session.
    const plain = await t.run(['token', 'get', '-p', 'p'])
    expect(plain.code, plain.stderr).toBe(0)
    expect(plain.stdout.trim()).not.toBe(got.stdout.trim())
    expect(sandbox.requestCount('/token')).toBe(2)
  })
})
