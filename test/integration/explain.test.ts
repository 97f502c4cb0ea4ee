import { describe, expect, it } from 'vitest'
import type { Sandbox } from '../../src/lib/sandbox/server.js'
import type { Sandboxed } from '../helpers/cli.js'
import { useIsolated, useSandbox } from '../helpers/lifecycle.js'
import { credentialEntries } from '../helpers/config-files.js'
import { seedSession } from '../helpers/stored-token.js'
import { issueRefreshToken } from '../helpers/sandbox-grants.js'

let sandbox: Sandbox
let t: Sandboxed

useSandbox((s) => (sandbox = s))
useIsolated((i) => (t = i))

const SECRET = 'demo-confidential-secret'
const addConfidential = (name = 'ci') => t.run(['profiles', 'add', name, '--issuer', sandbox.issuer, '--client-id', 'demo-confidential', '--client-secret-stdin'], { stdin: SECRET })

/**
 * What varies from run to run, made stable: the sandbox's port, timings, the library's version,
 * the sandbox's freshly generated keys, and the seconds a cached token has left.
 */
const normalise = (text: string) =>
  text
    .replaceAll(sandbox.issuer, 'http://127.0.0.1:PORT')
    .replace(/ in \d+ ms$/gm, ' in N ms')
    .replace(/oauth4webapi\/v[\d.]+/g, 'oauth4webapi/VERSION')
    .replace(/"(n|x|y)": "[A-Za-z0-9_-]+"/g, '"$1": "…"')
    .replace(/valid for \d+ s/g, 'valid for N s')
    .replace(/^ {6}etag: .*\n/gm, '')

/** Every secret the run could have shown: the client secret and each token now stored. */
async function storedSecrets(): Promise<string[]> {
  const secrets = [SECRET, Buffer.from(`demo-confidential:${SECRET}`).toString('base64')]
  for (const [key, value] of Object.entries(await credentialEntries(t.configDir))) {
    if (!key.includes('/token/')) continue
    const token = JSON.parse(value) as Record<string, string | undefined>
    for (const field of ['access_token', 'refresh_token', 'id_token']) if (token[field]) secrets.push(token[field])
  }
  return secrets
}

describe('--explain', () => {
  it('token get (client credentials): each request a numbered step with its purpose, redacted, timed, and the checks', async () => {
    expect((await addConfidential()).code).toBe(0)
    const result = await t.run(['token', 'get', '--explain'])
    expect(result.code, result.stderr).toBe(0)
    expect(normalise(result.stderr)).toMatchSnapshot()
    for (const secret of await storedSecrets()) expect(result.stderr).not.toContain(secret)
  })

  it("token refresh: the refresh grant, the issuer's keys fetched, the ID token's signature checked", async () => {
    expect((await addConfidential()).code).toBe(0)
    const refresh = await issueRefreshToken(sandbox, { clientId: 'demo-confidential', scope: 'openid offline_access' })
    await seedSession(t.configDir, 'ci', { access_token: 'expired-access-token', refresh_token: refresh })
    const result = await t.run(['token', 'refresh', '--explain'])
    expect(result.code, result.stderr).toBe(0)
    expect(normalise(result.stderr)).toMatchSnapshot()
    for (const secret of [...(await storedSecrets()), refresh]) expect(result.stderr).not.toContain(secret)
  })

  it('token get on a cached token: the full command runs (the fast path declines) and says the cache answered, with no request', async () => {
    expect((await addConfidential()).code).toBe(0)
    expect((await t.run(['token', 'get'])).code).toBe(0)
    sandbox.resetCounts()
    const result = await t.run(['token', 'get', '--explain'])
    expect(result.code, result.stderr).toBe(0)
    expect(normalise(result.stderr)).toBe('1. Token from the cache of profile ci: still valid for N s, so no request is sent\n')
    expect(sandbox.requestCount('/token')).toBe(0)
  })

  it('token introspection and revocation, and client registration (create, get, delete): each step named, no secret shown', async () => {
    const added = await t.run(['profiles', 'add', 'ci', '--issuer', sandbox.issuer, '--client-id', 'demo-confidential', '--client-secret-stdin', '--resource', sandbox.opaqueResource], { stdin: SECRET })
    expect(added.code, added.stderr).toBe(0)
    expect((await t.run(['token', 'get'])).code).toBe(0)
    const tokens = await storedSecrets()
    const introspected = await t.run(['token', 'inspect', '--introspect', '--explain'])
    const revoked = await t.run(['token', 'revoke', '--explain'])
    expect((await t.run(['profiles', 'add', 'admin', '--issuer', sandbox.issuer])).code).toBe(0)
    const created = await t.run(['clients', 'create', '-p', 'admin', '--name', 'explained', '--grant-type', 'client_credentials', '--explain'])
    const id = /^id: (\S+)$/m.exec(created.stdout)?.[1] ?? ''
    const newSecret = /^secret: (\S+)$/m.exec(created.stdout)?.[1] ?? ''
    const registration = Object.entries(await credentialEntries(t.configDir)).find(([key]) => key.endsWith('/registration'))?.[1] ?? ''
    const got = await t.run(['clients', 'get', id, '-p', 'admin', '--explain'])
    const deleted = await t.run(['clients', 'delete', id, '-p', 'admin', '--yes', '--explain'])
    const runs = { introspected, revoked, created, got, deleted }
    for (const [name, run] of Object.entries(runs)) expect(run.code, `${name}: ${run.stderr}`).toBe(0)
    const titles = (run: { stderr: string }) => run.stderr.split('\n').filter((line) => /^\d+\. /.test(line))
    expect(titles(introspected)).toEqual(['1. Token introspection (RFC 7662, client_secret_basic)'])
    expect(titles(revoked)).toEqual(['1. Token revocation (RFC 7009, client_secret_basic)'])
    expect(titles(created)).toEqual(['1. Client registration (RFC 7591/7592) (POST /reg)'])
    expect(titles(got)).toEqual([`1. Client registration (RFC 7591/7592) (GET /reg/${id})`])
    expect(titles(deleted)).toEqual([`1. Client registration (RFC 7591/7592) (DELETE /reg/${id})`])
    expect(got.stderr).toContain('authorization: Bearer [REDACTED]')
    expect(newSecret).not.toBe('')
    const registrationTokens = Object.values(JSON.parse(registration) as Record<string, { accessToken: string }>).map((r) => r.accessToken)
    expect(registrationTokens).toEqual([expect.stringMatching(/.{16}/)])
    for (const secret of [...tokens, newSecret, ...registrationTokens]) for (const run of Object.values(runs)) expect(run.stderr).not.toContain(secret)
  })

  it('leaves stdout byte for byte as it is without --explain', async () => {
    expect((await addConfidential()).code).toBe(0)
    const refresh = await issueRefreshToken(sandbox, { clientId: 'demo-confidential', scope: 'openid offline_access' })
    await seedSession(t.configDir, 'ci', { access_token: 'expired-access-token', refresh_token: refresh })
    // userinfo asks the server every time (a refresh first), and prints the same claims each time.
    const runs = [await t.run(['userinfo', '--explain']), await t.run(['userinfo']), await t.run(['userinfo', '--json', '--explain']), await t.run(['userinfo', '--json'])]
    for (const run of runs) expect(run.code, run.stderr).toBe(0)
    expect(runs[0]?.stdout).toBe(runs[1]?.stdout)
    expect(runs[2]?.stdout).toBe(runs[3]?.stdout)
    expect(runs[0]?.stderr).toMatch(/^\d+\. UserInfo request \(the access token as Bearer credentials\)$/m)
    expect(runs[0]?.stderr).toContain("✓ sub: the stored ID token's subject")
    // A cached token: the same bytes with and without.
    const [plain, explained] = [await t.run(['token', 'get']), await t.run(['token', 'get', '--explain'])]
    expect(plain.code).toBe(0)
    expect(explained.stdout).toBe(plain.stdout)
  })
})
