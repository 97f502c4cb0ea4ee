import { readFile } from 'node:fs/promises'
import { connect, createServer, type Server } from 'node:net'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import type { Sandbox } from '../../src/lib/sandbox/server.js'
import { StoredTokenSchema, type StoredToken } from '../../src/lib/tokens/token-set.js'
import { startImplicitServer } from '../fakes/implicit-server.js'
import { loopbackPage, sandboxApprove, sandboxConsent, sandboxSignIn, skipBrowserTests, waitForHeading, waitForText, AUTH_URL, browserLogin } from '../helpers/browser.js'
import { useChromium } from '../helpers/chromium-suite.js'
import type { Sandboxed } from '../helpers/cli.js'
import { useIsolated, useSandbox } from '../helpers/lifecycle.js'
import { startCli } from '../helpers/cli-stream.js'

let sandbox: Sandbox
let t: Sandboxed

useSandbox((s) => (sandbox = s))
useIsolated((i) => (t = i))

const SCOPES = ['openid', 'offline_access']
/** The authorization URL `login --no-open` prints, indented on its own line. */

async function addProfile(name: string, clientId: string, extra: string[] = [], stdin?: string) {
  const scopes = SCOPES.flatMap((s) => ['--scope', s])
  const added = await t.run(['profiles', 'add', name, '--issuer', sandbox.issuer, '--client-id', clientId, ...scopes, ...extra], { stdin })
  expect(added.code, added.stderr).toBe(0)
}

async function storedEntries(): Promise<Record<string, string>> {
  try {
    return JSON.parse(await readFile(join(t.configDir, 'credentials.json'), 'utf8')).entries
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw err
  }
}

/** The keys of a profile's stored tokens (the layout is part of the storage contract). */
const tokenKeys = async (profile: string) => Object.keys(await storedEntries()).filter((k) => k.startsWith(`profile/${profile}/token/`))

/** The profile's one stored token; that `token get` finds it under its cache key is checked by running it. */
async function storedToken(profile: string): Promise<StoredToken | undefined> {
  const keys = await tokenKeys(profile)
  expect(keys).toHaveLength(1)
  return StoredTokenSchema.parse(JSON.parse((await storedEntries())[keys[0] ?? ''] ?? 'null'))
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

/** Whether something accepts connections on 127.0.0.1:port right now. */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' })
    socket.setTimeout(2000)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
  })

async function introspect(token: string): Promise<{ active: boolean }> {
  const metadata = (await (await fetch(`${sandbox.issuer}/.well-known/openid-configuration`)).json()) as { introspection_endpoint: string }
  const response = await fetch(metadata.introspection_endpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from('demo-confidential:demo-confidential-secret').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token }),
  })
  expect(response.status).toBe(200)
  return (await response.json()) as { active: boolean }
}

describe.skipIf(skipBrowserTests)('login in a browser (Chromium)', () => {
  let browser!: Browser
  useChromium((launched) => {
    browser = launched
  })


  it('code flow with PKCE for a public client: stores the tokens, and token get then sends nothing', async () => {
    await addProfile('pub', 'demo-public', ['--auth-method', 'none'])
    sandbox.resetCounts()
    const { result, url } = await browserLogin(browser, t.env, ['--json'], async (page, authUrl) => {
      // The sandbox demands PKCE (S256 only): without the challenge the same request is refused,
      // so the completed login below proves the server received and verified ours. (The refusal
      // comes back to the loopback server under another state, which leaves the login waiting.)
      const withoutPkce = new URL(authUrl)
      withoutPkce.searchParams.delete('code_challenge')
      withoutPkce.searchParams.delete('code_challenge_method')
      withoutPkce.searchParams.set('state', 'probe')
      await page.goto(withoutPkce.href)
      await waitForHeading(page, 'Response ignored')
      expect(new URL(page.url()).searchParams.get('error_description')).toMatch(/PKCE/)

      await page.goto(authUrl.href)
      await sandboxSignIn(page)
      await sandboxConsent(page)
      await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/)
      await waitForHeading(page, 'Logged in')
    })
    expect(result.code, result.stderr).toBe(0)

    expect(url.searchParams.get('code_challenge_method')).toBe('S256')
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/)
    expect(url.searchParams.get('state')).toBeTruthy()
    expect(url.searchParams.get('nonce')).toBeTruthy()
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/)
    expect(url.searchParams.get('scope')).toBe('openid offline_access')
    expect(sandbox.requestCount('/auth')).toBe(2)
    expect(sandbox.requestCount('/token')).toBe(1)

    // The sandbox answers scope "" (it grants openid and offline_access to the grant, not to its resource's access token): the summary names what was asked for.
    expect(result.stderr).toMatch(/^logged in to http:\/\/127\.0\.0\.1:\d+ as demo \(profile pub\): scopes openid offline_access; access token expires in (1h|59m \d+s) \(.+\), with a refresh token$/m)
    const summary = JSON.parse(result.stdout)
    expect(summary).toMatchObject({ profile: 'pub', subject: 'demo', grant: 'authorization_code', refreshable: true, storage: 'file' })
    expect(result.stdout + result.stderr).not.toMatch(/eyJ/)

    const token = await storedToken('pub')
    expect(token).toMatchObject({ grant: 'authorization_code', requested: { scopes: SCOPES } })
    expect(token?.refresh_token).toBeTruthy()
    expect(token?.id_token).toBeTruthy()
    expect(result.stdout + result.stderr).not.toContain(token?.access_token)
    expect(result.stderr).not.toContain(token?.refresh_token)

    sandbox.resetCounts()
    const got = await t.run(['token', 'get'])
    expect(got.code, got.stderr).toBe(0)
    expect(got.stdout).toBe(`${token?.access_token}\n`)
    expect(sandbox.requestCount('/token')).toBe(0)
  })

  it('ignores a callback with another state, and the login still completes; the -v trace hides the secrets', async () => {
    await addProfile('pub', 'demo-public', ['--auth-method', 'none'])
    sandbox.resetCounts()
    let code = ''
    const { result } = await browserLogin(browser, t.env, ['-v'], async (page, authUrl) => {
      const redirect = new URL(authUrl.searchParams.get('redirect_uri') ?? '')
      redirect.search = new URLSearchParams({ code: 'forged-code', state: 'not-the-state', iss: sandbox.issuer }).toString()
      const forged = await page.goto(redirect.href)
      expect(forged?.status()).toBe(400)
      await waitForText(page, 'its state does not match the login in progress')
      code = await sandboxApprove(page, authUrl)
    })
    expect(result.code, result.stderr).toBe(0)
    // The forged code was never sent to the token endpoint.
    expect(sandbox.requestCount('/token')).toBe(1)
    const token = await storedToken('pub')
    expect(result.stderr).toContain('> POST http://127.0.0.1')
    expect(result.stderr).toContain('code_verifier=%5BREDACTED%5D')
    expect(code.length).toBeGreaterThan(10)
    for (const secret of [code, token?.access_token, token?.refresh_token, token?.id_token]) expect(result.stderr).not.toContain(secret)
  })

  it('exits 4 and shows the error page when the user refuses, storing nothing', async () => {
    await addProfile('pub', 'demo-public', ['--auth-method', 'none'])
    const { result } = await browserLogin(browser, t.env, [], async (page, authUrl) => {
      await page.goto(authUrl.href)
      // oidc-provider's "[ Cancel ]" aborts the interaction: it redirects with error=access_denied.
      await page.getByText('[ Cancel ]').click()
      await page.waitForURL(/\/callback\?.*error=access_denied/)
      await waitForHeading(page, 'Login failed')
      await waitForText(page, 'access_denied')
    })
    expect(result.code).toBe(4)
    expect(result.stderr).toMatch(/^error: access_denied: End-User aborted interaction$/m)
    expect(sandbox.requestCount('/token')).toBe(0)
    expect(await tokenKeys('pub')).toEqual([])
  })

  it('device flow: the user approves in the browser while the CLI polls', async () => {
    await addProfile('dev', 'demo-device', ['--auth-method', 'none'])
    sandbox.resetCounts()
    const cli = startCli(['login', '--flow', 'device', '--no-open'], t.env)
    const [, verificationUri, userCode] = await cli.waitForStderr(/^To log in, visit (\S+)\nand enter the code: (\S+)$/m)
    const { context, page } = await loopbackPage(browser)
    try {
      await page.goto(verificationUri ?? '')
      await page.locator('input[name=user_code]').fill(userCode ?? '')
      await page.getByRole('button', { name: 'Continue' }).click()
      await waitForHeading(page, 'Confirm Device')
      await page.getByRole('button', { name: 'Continue' }).click()
      await sandboxSignIn(page)
      await sandboxConsent(page)
      await waitForHeading(page, 'Sign-in Success')
    } finally {
      await context.close()
    }
    const result = await cli.done
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toMatch(/^logged in to .* as demo \(profile dev\)/m)
    expect(sandbox.requestCount('/device/auth')).toBe(1)
    expect(sandbox.requestCount('/token')).toBeGreaterThanOrEqual(1)
    const token = await storedToken('dev')
    expect(token).toMatchObject({ grant: 'device_code' })
    expect(token?.refresh_token).toBeTruthy()
    // No countdown line: stderr is not a terminal here.
    expect(result.stderr).not.toContain('waiting for approval')
  })

  it('implicit flow: the callback page posts the fragment back', async () => {
    const fake = await startImplicitServer()
    try {
      const added = await t.run(['profiles', 'add', 'legacy', '--issuer', fake.issuer, '--client-id', 'legacy-spa', '--auth-method', 'none', '--scope', 'read'])
      expect(added.code, added.stderr).toBe(0)
      const cli = startCli(['login', '--flow', 'implicit', '--no-open'], t.env)
      const url = new URL((await cli.waitForStderr(/^ {2}(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)$/m))[1] ?? '')
      const { context, page } = await loopbackPage(browser)
      try {
        // First a forged fragment with another state: ignored, the login keeps waiting.
        const redirect = new URL(url.searchParams.get('redirect_uri') ?? '')
        await page.goto(`${redirect.href}#access_token=forged&token_type=Bearer&state=wrong`)
        await waitForHeading(page, 'Response ignored')
        expect(page.url()).not.toContain('access_token')

        await page.goto(url.href)
        await page.locator('#allow').click()
        await waitForHeading(page, 'Logged in')
        // The relay removed the token from the address bar.
        expect(page.url()).toMatch(/\/callback$/)
      } finally {
        await context.close()
      }
      const result = await cli.done
      expect(result.code, result.stderr).toBe(0)
      expect(result.stderr).toMatch(/^warning: the implicit flow is legacy/m)
      const [request] = fake.authorizeRequests
      expect(request?.get('response_type')).toBe('token')
      expect(request?.get('state')).toBeTruthy()
      expect(request?.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/)
      const token = await storedToken('legacy')
      expect(token).toMatchObject({ grant: 'implicit', access_token: fake.issued[0], scope: 'read' })
      const got = await t.run(['token', 'get', '-p', 'legacy'])
      expect(got.stdout).toBe(`${fake.issued[0]}\n`)
    } finally {
      await fake.close()
    }
  })

  it('logout revokes the refresh token at the server, then deletes the tokens', async () => {
    await addProfile('conf', 'demo-confidential', ['--client-secret-stdin'], 'demo-confidential-secret')
    const { result } = await browserLogin(browser, t.env, [], async (page, authUrl) => {
      await page.goto(authUrl.href)
      await sandboxSignIn(page)
      await sandboxConsent(page)
      await waitForHeading(page, 'Logged in')
    })
    expect(result.code, result.stderr).toBe(0)
    const refreshToken = (await storedToken('conf'))?.refresh_token ?? ''
    expect(refreshToken).toBeTruthy()
    expect(await introspect(refreshToken)).toMatchObject({ active: true })

    sandbox.resetCounts()
    const out = await t.run(['logout'])
    expect(out.code, out.stderr).toBe(0)
    // The sandbox revokes its JWT access tokens too (oidc-provider alone cannot); a refusal's warning is tested below.
    expect(out.stdout).toContain('logged out of profile conf: 1 stored token set deleted, 2 tokens revoked')
    expect(out.stderr).not.toMatch(/^warning:/m)
    expect(sandbox.requestCount('/token/revocation')).toBe(2)
    expect(await introspect(refreshToken)).toMatchObject({ active: false })
    expect(await tokenKeys('conf')).toEqual([])
  })
})

describe('login without a browser', () => {
  it('times out with exit 3, stores nothing and closes the port', async () => {
    await addProfile('pub', 'demo-public', ['--auth-method', 'none'])
    const port = await freePort()
    const cli = startCli(['login', '--no-open', '--port', String(port), '--timeout', '2'], t.env)
    await cli.waitForStderr(AUTH_URL)
    expect(await listening(port)).toBe(true)
    const result = await cli.done
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/^error: the login timed out after 2 s; nothing was stored$/m)
    expect(await listening(port)).toBe(false)
    expect(await tokenKeys('pub')).toEqual([])
  })

  it('Ctrl-C exits 130 and closes the port', async () => {
    await addProfile('pub', 'demo-public', ['--auth-method', 'none'])
    const cli = startCli(['login', '--no-open'], t.env)
    const url = new URL((await cli.waitForStderr(AUTH_URL))[1] ?? '')
    const port = Number(new URL(url.searchParams.get('redirect_uri') ?? '').port)
    expect(await listening(port)).toBe(true)
    cli.signal('SIGINT')
    const result = await cli.done
    expect(result.code).toBe(130)
    expect(result.stderr).toMatch(/^error: the login was interrupted; nothing was stored$/m)
    expect(await listening(port)).toBe(false)
    expect(await tokenKeys('pub')).toEqual([])
  })

  it('exits 2 naming the port when it is in use', async () => {
    await addProfile('pub', 'demo-public', ['--auth-method', 'none'])
    const blocker: Server = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const { port } = blocker.address() as { port: number }
    try {
      const result = await t.run(['login', '--no-open', '--port', String(port)])
      expect(result.code).toBe(2)
      expect(result.stderr).toContain(`error: port ${port} on 127.0.0.1 is already in use`)
      expect(sandbox.requestCount('/token')).toBe(0)
    } finally {
      await new Promise((resolve) => blocker.close(resolve))
    }
  })

  it('logout deletes the tokens even when revocation fails, with a warning and exit 0', async () => {
    const port = await freePort()
    await addProfile('conf', 'demo-confidential', ['--client-secret-stdin', '--revocation-endpoint', `http://127.0.0.1:${port}/revoke`], 'demo-confidential-secret')
    const got = await t.run(['token', 'get'], { env: { OAUTHCTL_TIMEOUT: '2' } })
    expect(got.code, got.stderr).toBe(0)
    expect(await tokenKeys('conf')).toHaveLength(1)
    const out = await t.run(['logout'], { env: { OAUTHCTL_TIMEOUT: '2' } })
    expect(out.code, out.stderr).toBe(0)
    expect(out.stderr).toMatch(/^warning: could not revoke the access token \(cannot reach .*connection refused\)/m)
    expect(out.stdout).toContain('1 stored token set deleted, 0 tokens revoked')
    expect(await tokenKeys('conf')).toEqual([])
  })
})
