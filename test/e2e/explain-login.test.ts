import type { Browser } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import type { Sandbox } from '../../src/lib/sandbox/server.js'
import { browserLogin, sandboxApprove, skipBrowserTests } from '../helpers/browser.js'
import { useChromium } from '../helpers/chromium-suite.js'
import type { Sandboxed } from '../helpers/cli.js'
import { credentialEntries } from '../helpers/config-files.js'
import { useIsolated, useSandbox } from '../helpers/lifecycle.js'

let sandbox: Sandbox
let t: Sandboxed
let browser: Browser

useSandbox((s) => (sandbox = s))
useIsolated((i) => (t = i))

describe.skipIf(skipBrowserTests)('login --explain (code flow, Chromium)', () => {
  useChromium((b) => (browser = b))

  it('explains each step of the code flow with the checks that passed, and shows no secret', async () => {
    const added = await t.run(['profiles', 'add', 'web', '--issuer', sandbox.issuer, '--client-id', 'demo-public', '--auth-method', 'none', '--scope', 'openid', '--scope', 'offline_access'])
    expect(added.code, added.stderr).toBe(0)
    let code = ''
    const { result } = await browserLogin(browser, t.env, ['--explain'], async (page, authUrl) => {
      code = await sandboxApprove(page, authUrl)
    })
    expect(result.code, result.stderr).toBe(0)
    const steps = result.stderr.split('\n').filter((line) => /^(\d+\. |   [✓·] )/.test(line))
    expect(steps).toEqual([
      expect.stringMatching(/^1\. Authorization request in the browser \(response_type=code; PKCE S256 code_challenge, state, nonce\); the answer comes back to http:\/\/127\.0\.0\.1:\d+\/callback$/),
      '2. Authorization response: the browser is sent back to the redirect URI',
      '   ✓ state: the one this login sent (CSRF defence)',
      '   ✓ iss: the issuer (RFC 9207 mix-up defence)',
      '3. Token request (authorization_code, PKCE verifier, none)',
      '   ✓ token response: a bearer token for 3600 s, with a refresh token and an ID token',
      '   ✓ PKCE: the server accepted the code_verifier for the S256 code_challenge of the authorization request',
      '   ✓ ID token claims: iss, aud, exp, iat as expected, nonce is the one sent',
      "4. JWKS: the issuer's public signing keys",
      "   ✓ ID token signature: RS256 with key sandbox-rs256 from the issuer's JWKS; iss, exp, nbf, aud as expected",
      expect.stringMatching(/^ {3}[✓·] .*at_hash/),
    ])
    // The code, the verifier and every token stay out of it.
    expect(code).not.toBe('')
    expect(result.stderr).not.toContain(code)
    const token = JSON.parse(Object.values(await credentialEntries(t.configDir)).find((v) => v.includes('access_token')) ?? '{}') as Record<string, string>
    for (const field of ['access_token', 'refresh_token', 'id_token']) {
      expect(token[field]).toBeTruthy()
      expect(result.stderr).not.toContain(token[field])
    }
    expect(result.stderr).toMatch(/^ {6}code_verifier=\[REDACTED\]$/m)
  })
})
