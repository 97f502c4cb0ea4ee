import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { DEMO_USER, type Sandbox } from '../../src/lib/sandbox/server.js'
import { secretKeys } from '../../src/lib/storage/keys.js'
import type { Sandboxed } from '../helpers/cli.js'
import { useIsolated, useSandbox } from '../helpers/lifecycle.js'
import { readStored, seedToken } from '../helpers/stored-token.js'
import { issueRefreshToken } from '../helpers/sandbox-grants.js'

const SCOPES = ['openid', 'offline_access', 'profile', 'email']

let sandbox: Sandbox
let t: Sandboxed

useSandbox((s) => (sandbox = s))
useIsolated((i) => (t = i))

/** A demo-public profile whose stored session is a refresh token for `accountId` (as after a login), optionally DPoP-bound. */
async function session(name: string, options: { accountId?: string; dpop?: boolean } = {}) {
  const added = await t.run(['profiles', 'add', name, '--issuer', sandbox.issuer, '--client-id', 'demo-public', '--auth-method', 'none', ...SCOPES.flatMap((s) => ['--scope', s]), ...(options.dpop ? ['--dpop'] : [])])
  expect(added.code, added.stderr).toBe(0)
  const jkt = options.dpop ? await plantDpopKey(name) : undefined
  const refresh = await issueRefreshToken(sandbox, { clientId: 'demo-public', accountId: options.accountId, scope: SCOPES.join(' '), jkt })
  return seedToken(t.configDir, name, { access_token: 'expired-access-token', refresh_token: refresh }, SCOPES)
}

/** A P-256 key stored where oauthctl keeps the profile's DPoP key; returns its thumbprint (what a bound refresh token names). */
async function plantDpopKey(profile: string): Promise<string> {
  const path = join(t.configDir, 'credentials.json')
  const file = JSON.parse(await readFile(path, 'utf8').catch(() => '{"version":1,"entries":{}}'))
  const jwk = await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)
  file.entries[secretKeys.dpopKey(profile)] = JSON.stringify(jwk)
  await writeFile(path, JSON.stringify(file), { mode: 0o600 })
  return calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y })
}

describe('userinfo', () => {
  it('prints the UserInfo claims with the session access token, sub checked against the ID token', async () => {
    await session('me')
    const json = await t.run(['userinfo', '--json'])
    expect(json.code, json.stderr).toBe(0)
    expect(JSON.parse(json.stdout)).toEqual({ claims: { sub: DEMO_USER.id, name: DEMO_USER.name, email: DEMO_USER.email }, subjectChecked: true })

    const human = await t.run(['userinfo'])
    expect(human.code, human.stderr).toBe(0)
    expect(human.stdout).toBe(`sub: demo\nname: Demo User\nemail: demo@example.test\n(sub matches the ID token)\n`)
    expect(sandbox.requestCount('/me')).toBe(2)
  })

  it('a DPoP profile calls userinfo with a proof for its DPoP-bound token', async () => {
    await session('bound', { dpop: true })
    const got = await t.run(['userinfo', '--json', '-v'])
    expect(got.code, got.stderr).toBe(0)
    expect(JSON.parse(got.stdout).claims.sub).toBe(DEMO_USER.id)
    expect(got.stderr).toMatch(/> GET \S+\/me[\s\S]*> authorization: DPoP \[REDACTED\][\s\S]*> dpop: \[REDACTED\]/i)
  })

  it('a userinfo answer for another subject than the ID token is exit 4, and no claims are printed', async () => {
    const key = await session('me')
    expect((await t.run(['userinfo'])).code).toBe(0)
    const stored = await readStored(t.configDir, key)
    const forged = await new SignJWT({ sub: 'someone-else' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new Uint8Array(32))
    await seedToken(t.configDir, 'me', { ...stored, access_token: stored?.access_token as string, id_token: forged }, SCOPES)
    const mismatch = await t.run(['userinfo'])
    expect(mismatch.code).toBe(4)
    expect(mismatch.stdout).toBe('')
    expect(mismatch.stderr).toMatch(/^error: userinfo endpoint: .*sub/m)
  })

  it('control characters in claims are shown escaped for people, exact in --json', async () => {
    const evil = 'mallory\u001b]52;c;ZXZpbA==\u0007\u009b31m'
    await session('evil', { accountId: evil })
    const human = await t.run(['userinfo'])
    expect(human.code, human.stderr).toBe(0)
    expect(human.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/)
    expect(human.stdout).toContain('name: mallory\\x1b]52;c;ZXZpbA==\\x07\\u009b31m')
    const json = await t.run(['userinfo', '--json'])
    expect(JSON.parse(json.stdout).claims.name).toBe(evil)
  })

  it('an access token meant for an API is refused by the userinfo endpoint: exit 4 with a hint', async () => {
    const added = await t.run(['profiles', 'add', 'api', '--issuer', sandbox.issuer, '--client-id', 'demo-confidential', '--client-secret-stdin'], { stdin: 'demo-confidential-secret' })
    expect(added.code).toBe(0)
    const refused = await t.run(['userinfo'])
    expect(refused.code).toBe(4)
    expect(refused.stderr).toContain('error: invalid_token')
    expect(refused.stderr).toContain('hint: the access token must carry the openid scope and be meant for userinfo')
  })
})

describe('token inspect --id-token', () => {
  it('decodes and verifies the stored ID token (audience: the client id); none stored is exit 3', async () => {
    await session('me')
    expect((await t.run(['token', 'get'])).code).toBe(0)
    const inspected = await t.run(['token', 'inspect', '--id-token', '--verify', '--json'])
    expect(inspected.code, inspected.stderr).toBe(0)
    const result = JSON.parse(inspected.stdout)
    expect(result.claims).toMatchObject({ sub: DEMO_USER.id, aud: 'demo-public', iss: sandbox.issuer })
    expect(result.verification.checked).toEqual(expect.arrayContaining(['signature']))
    // The access token is still what plain inspect shows.
    const plain = JSON.parse((await t.run(['token', 'inspect', '--json'])).stdout)
    expect(plain.format).toBe('opaque')

    const added = await t.run(['profiles', 'add', 'cc', '--issuer', sandbox.issuer, '--client-id', 'demo-confidential', '--client-secret-stdin'], { stdin: 'demo-confidential-secret' })
    expect(added.code).toBe(0)
    expect((await t.run(['token', 'get', '-p', 'cc'])).code).toBe(0)
    const none = await t.run(['token', 'inspect', '--id-token', '-p', 'cc'])
    expect(none.code).toBe(3)
    expect(none.stderr).toContain('error: no ID token for profile cc: none is stored')
  })
})
