import type { Browser, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import type { Sandbox } from '../../src/lib/sandbox/server.js'
import { loopbackPage, sandboxConsent, sandboxSignIn, skipBrowserTests } from '../helpers/browser.js'
import { useChromium } from '../helpers/chromium-suite.js'
import type { Sandboxed } from '../helpers/cli.js'
import { type RunningCli, startCli } from '../helpers/cli-stream.js'
import { credentialEntries } from '../helpers/config-files.js'
import { useIsolated, useSandbox } from '../helpers/lifecycle.js'

let sandbox: Sandbox
let t: Sandboxed

useSandbox((s) => (sandbox = s))
useIsolated((i) => (t = i))

/** The authorization URL `login --flow manual` prints, indented on its own line. */
const PRINTED_URL = /^ {2}(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)$/m
const PASTE_PROMPT = /Paste that whole URL/

const tokenKeys = async (profile: string) =>
  Object.keys(await credentialEntries(t.configDir).catch(() => ({}))).filter((k) => k.startsWith(`profile/${profile}/token/`))

async function addProfile(extra: string[] = []) {
  const added = await t.run(['profiles', 'add', 'm', '--issuer', sandbox.issuer, '--client-id', 'demo-public', '--auth-method', 'none', '--scope', 'openid', ...extra])
  expect(added.code, added.stderr).toBe(0)
}

/** Start `login --flow manual` with a pipe for stdin; returns the printed authorization URL once the prompt is shown. */
async function startManual(args: string[] = []): Promise<{ cli: RunningCli; authUrl: URL }> {
  const cli = startCli(['login', '--flow', 'manual', ...args], t.env, { stdin: true })
  const authUrl = new URL((await cli.waitForStderr(PRINTED_URL))[1] ?? '')
  await cli.waitForStderr(PASTE_PROMPT)
  return { cli, authUrl }
}

/** A pasted answer for this login's redirect URI. */
const answer = (authUrl: URL, params: Record<string, string>) => `${authUrl.searchParams.get('redirect_uri')}?${new URLSearchParams(params)}`

describe('login --flow manual (paste the redirected URL)', () => {
  it('prints the URL with the default loopback redirect, and nothing listens there', async () => {
    await addProfile()
    const { cli, authUrl } = await startManual()
    expect(authUrl.searchParams.get('redirect_uri')).toBe('http://127.0.0.1/callback')
    expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256')
    cli.signal('SIGINT')
    const result = await cli.done
    expect(result.code).toBe(130)
    expect(result.stderr).toContain('the login was interrupted; nothing was stored')
    expect(await tokenKeys('m')).toEqual([])
  })

  it('a pasted URL with another state: exit 4, nothing sent to the token endpoint, nothing stored', async () => {
    await addProfile()
    const { cli, authUrl } = await startManual()
    cli.write(`${answer(authUrl, { code: 'stolen-code', state: 'another-login', iss: sandbox.issuer })}\n`)
    const result = await cli.done
    expect(result.code).toBe(4)
    expect(result.stderr).toMatch(/^error: the pasted URL is not this login's answer \(its state does not match the login in progress\); nothing was stored$/m)
    expect(result.stderr).not.toContain('stolen-code')
    expect(sandbox.requestCount('/token')).toBe(0)
    expect(await tokenKeys('m')).toEqual([])
  })

  it("the code flow's own checks: an iss of another issuer (RFC 9207) and an error response are exit 4", async () => {
    await addProfile()
    for (const [params, message] of [
      [{ code: 'c', iss: 'https://attacker.example.test' }, /^error: the authorization response: .*"iss"/m],
      [{ code: 'c' }, /"iss" \(issuer\) missing/],
      [{ error: 'access_denied', error_description: 'no thanks', iss: sandbox.issuer }, /^error: access_denied: no thanks$/m],
    ] as const) {
      const { cli, authUrl } = await startManual()
      cli.write(`${answer(authUrl, { ...params, state: authUrl.searchParams.get('state') ?? '' })}\n`)
      const result = await cli.done
      expect(result.code, result.stderr).toBe(4)
      expect(result.stderr).toMatch(message)
    }
    expect(sandbox.requestCount('/token')).toBe(0)
    expect(await tokenKeys('m')).toEqual([])
  })

  it('a URL to another place than the redirect URI: exit 2; input that ends: exit 3; both store nothing', async () => {
    await addProfile()
    const { cli, authUrl } = await startManual()
    cli.write(`http://127.0.0.1/elsewhere?${new URLSearchParams({ code: 'c', state: authUrl.searchParams.get('state') ?? '' })}\n`)
    const wrongPlace = await cli.done
    expect(wrongPlace.code).toBe(2)
    expect(wrongPlace.stderr).toContain('not to the redirect URI http://127.0.0.1/callback')

    const ended = startCli(['login', '--flow', 'manual'], t.env)
    const result = await ended.done
    expect(result.code).toBe(3)
    expect(result.stderr).toContain('the input ended before the redirected URL was pasted; nothing was stored')
    expect(await tokenKeys('m')).toEqual([])
  })

  it('is bounded by --timeout: exit 3, nothing stored', async () => {
    await addProfile()
    const { cli } = await startManual(['--timeout', '1'])
    const result = await cli.done
    expect(result.code).toBe(3)
    expect(result.stderr).toContain('the login timed out after 1 s; nothing was stored')
  })
})

describe.skipIf(skipBrowserTests)('login --flow manual with a real login (Chromium)', () => {
  let browser!: Browser
  useChromium((launched) => {
    browser = launched
  })

  /** Log in at the sandbox and return the URL the browser was redirected to (nothing listens there: the page is faked). */
  async function loginInBrowser(authUrl: URL): Promise<string> {
    const { context, page } = await loopbackPage(browser)
    try {
      const redirected = redirectTarget(page, authUrl)
      await page.goto(authUrl.href)
      await sandboxSignIn(page)
      await sandboxConsent(page)
      return await redirected
    } finally {
      await context.close()
    }
  }

  function redirectTarget(page: Page, authUrl: URL): Promise<string> {
    const redirect = authUrl.searchParams.get('redirect_uri') ?? ''
    return new Promise((resolve) => {
      void page.route(`${redirect}?**`, (route) => {
        resolve(route.request().url())
        return route.fulfill({ status: 200, body: 'unreachable redirect' })
      })
    })
  }

  it('a good pasted URL (profile redirect URI): tokens stored, token get finds them', async () => {
    await addProfile(['--redirect-uri', 'http://localhost/callback'])
    const { cli, authUrl } = await startManual()
    expect(authUrl.searchParams.get('redirect_uri')).toBe('http://localhost/callback')
    const pasted = await loginInBrowser(authUrl)
    cli.write(`\n  ${pasted}  \n`)
    const result = await cli.done
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toMatch(/^logged in to http:\/\/127\.0\.0\.1:\d+ as demo \(profile m\)/m)
    const code = new URL(pasted).searchParams.get('code') ?? ''
    expect(code.length).toBeGreaterThan(10)
    expect(result.stderr).not.toContain(code)
    expect(await tokenKeys('m')).toHaveLength(1)
    const got = await t.run(['token', 'get'])
    expect(got.code, got.stderr).toBe(0)
  })

  it('the code alone is accepted (PKCE binds it to this login), with a warning that state and iss went unchecked', async () => {
    await addProfile()
    const { cli, authUrl } = await startManual()
    const pasted = await loginInBrowser(authUrl)
    cli.write(`${new URL(pasted).searchParams.get('code')}\n`)
    const result = await cli.done
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain('warning: only the code was pasted: its state and issuer were not checked')
    expect(await tokenKeys('m')).toHaveLength(1)
  })

  it("a code from another login is refused by the token endpoint (PKCE): exit 4, nothing stored", async () => {
    await addProfile()
    const first = await startManual()
    const foreign = new URL(await loginInBrowser(first.authUrl)).searchParams.get('code') ?? ''
    first.cli.signal('SIGINT')
    await first.cli.done
    const { cli } = await startManual()
    cli.write(`${foreign}\n`)
    const result = await cli.done
    expect(result.code, result.stderr).toBe(4)
    expect(result.stderr).toMatch(/invalid_grant/)
    expect(await tokenKeys('m')).toEqual([])
  })
})
