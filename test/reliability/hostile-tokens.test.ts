import { createHash, generateKeyPairSync } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { type JwtIssuer, useJwtIssuer } from '../fakes/jwt-issuer.js'
import type { Sandboxed } from '../helpers/cli.js'
import { useIsolated } from '../helpers/lifecycle.js'
import { seedToken } from '../helpers/stored-token.js'
import { HttpClient } from '../../src/lib/http/client.js'
import { verifyJwt } from '../../src/lib/tokens/verify.js'
import { type FaultServer, html, huge, json, stallHeaders, tokenResponse, useFaultServer } from './fault-server.js'
import { clientSecretEntry, credentialsText, expectOneErrorLine, writeProfiles, writeSecrets } from './profile-files.js'

/**
 * Hostile JWTs for `token inspect --verify` and hostile ID tokens in a token response. The issuer
 * is the fault server (discovery, JWKS, token endpoint); tokens are signed with the JWT issuer's
 * EC key (kid k1) unless a case says otherwise. The existing suite already proves alg none, HS256
 * with the public key, an unknown kid, tampering, expiry and wrong iss/aud for `inspect`: these are
 * the cases it does not have.
 */
let fault: FaultServer
let keys: JwtIssuer
let t: Sandboxed

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const attackerJwk = { ...attacker.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' }
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url')
const now = () => Math.floor(Date.now() / 1000)

useFaultServer((f) => (fault = f))
useJwtIssuer((k) => (keys = k))
useIsolated((i) => (t = i), { OAUTHCTL_TIMEOUT: '1' })
beforeEach(() => {
  fault.route('/.well-known/openid-configuration', json(200, discovery()))
  fault.route('/jwks', json(200, { keys: [keys.publicJwk] }))
})

const discovery = () => ({
  issuer: fault.origin,
  token_endpoint: fault.url('/token'),
  jwks_uri: fault.url('/jwks'),
  response_types_supported: ['code'],
  id_token_signing_alg_values_supported: ['ES256'],
})

/** Sign with a hand-made header (jose refuses to write some of the hostile ones). */
async function signRaw(header: Record<string, unknown>, claims: Record<string, unknown>, key = keys.privateKey): Promise<string> {
  const { sign } = await import('node:crypto')
  const input = `${b64(header)}.${b64(claims)}`
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
  return `${input}.${signature.toString('base64url')}`
}

describe('token inspect --verify: hostile tokens and JWKS', () => {
  beforeEach(async () => {
    await writeProfiles(t.configDir, { v: { issuer: fault.origin, clientId: 'verifier', audience: 'api' } })
  })
  const claims = (extra: Record<string, unknown> = {}) => ({ iss: fault.origin, aud: 'api', sub: 'someone', iat: now(), exp: now() + 600, ...extra })
  const verify = (token: string, extra: string[] = []) => t.run(['token', 'inspect', '-', '--verify', ...extra], { stdin: token })

  interface Case {
    name: string
    token: () => Promise<string>
    jwks?: () => Record<string, unknown>[]
    /** The error message (the CLI prints it after `error: `). */
    cause: RegExp
    /** Also run through the spawned CLI (the rest call verifyJwt, the function --verify runs). */
    cli?: true
  }
  const rejected: Case[] = [
    {
      name: 'an RSA key published under the kid an EC token names (key type mismatch)',
      token: () => keys.sign(claims()),
      jwks: () => [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig' }],
      cause: /^verification failed: no key in the issuer's JWKS matches the token's kid and alg$/,
      cli: true,
    },
    {
      name: 'an EC key published with alg RS256 under the kid an ES256 token names',
      token: () => keys.sign(claims()),
      jwks: () => [{ ...keys.publicJwk, alg: 'RS256' }],
      cause: /^verification failed: /,
    },
    { name: 'nbf 120 s in the future (beyond the 60 s tolerance)', token: () => keys.sign(claims({ nbf: now() + 120 })), cause: /^verification failed: nbf/, cli: true },
    { name: 'exp 120 s ago (beyond the 60 s tolerance)', token: () => keys.sign(claims({ exp: now() - 120 })), cause: /^verification failed: exp/ },
    { name: 'an audience array without ours', token: () => keys.sign(claims({ aud: ['other', 'api2'] })), cause: /^verification failed: aud/ },
    { name: 'an issuer differing only by a trailing slash', token: () => keys.sign(claims({ iss: `${fault.origin}/` })), cause: /^verification failed: iss/ },
    { name: 'the attacker key embedded in the header (jwk)', token: () => signRaw({ alg: 'ES256', kid: 'k1', jwk: attackerJwk }, claims(), attacker.privateKey), cause: /^verification failed: signature does not match/ },
    { name: 'a jku header pointing at the attacker JWKS', token: () => signRaw({ alg: 'ES256', kid: 'k1', jku: fault.url('/attacker-jwks') }, claims(), attacker.privateKey), cause: /^verification failed: signature does not match/, cli: true },
    { name: 'a kid with a path in it', token: () => keys.sign(claims(), { kid: '../../../../etc/passwd' }), cause: /^verification failed: no key/ },
    { name: 'an unknown critical header', token: () => signRaw({ alg: 'ES256', kid: 'k1', crit: ['x-must-understand'], 'x-must-understand': true }, claims()), cause: /^verification failed: / },
    { name: 'alg "NONE" in capitals with an empty signature', token: async () => `${b64({ alg: 'NONE', kid: 'k1' })}.${b64(claims())}.`, cause: /^verification failed: / },
    { name: 'a valid signature in DER instead of JOSE form', token: async () => {
      const { sign } = await import('node:crypto')
      const input = `${b64({ alg: 'ES256', kid: 'k1' })}.${b64(claims())}`
      return `${input}.${sign('sha256', Buffer.from(input), { key: keys.privateKey, dsaEncoding: 'der' }).toString('base64url')}`
    }, cause: /^verification failed: signature/ },
    {
      name: 'two keys under one kid, the first the attacker\'s',
      token: () => keys.sign(claims(), { key: attacker.privateKey }),
      jwks: () => [attackerJwk, keys.publicJwk],
      cause: /^verification failed: several keys in the issuer's JWKS match the token$/,
    },
  ]

  it.each(rejected)('rejects $name with exit 4', async ({ token, jwks, cause, cli }) => {
    if (jwks) fault.route('/jwks', json(200, { keys: jwks() }))
    fault.route('/attacker-jwks', json(200, { keys: [attackerJwk] }))
    const jwt = await token()
    const verifying = verifyJwt(jwt, { issuer: fault.origin, jwksUri: fault.url('/jwks'), audience: 'api', http: new HttpClient({ requestTimeoutMs: 1_000 }), cacheDir: join(t.home, 'jwks-cache'), now })
    await expect(verifying).rejects.toMatchObject({ exitCode: 4, code: 'verification_failed', message: expect.stringMatching(cause) })
    if (cli) {
      const result = await verify(jwt)
      expect(result.code, result.stderr).toBe(4)
      expect(result.stdout).toBe('')
      expectOneErrorLine(result.stderr, new RegExp(`^error: ${cause.source.replace(/^\^/, '')}`))
    }
    expect(fault.count('/attacker-jwks')).toBe(0)
  })

  it.each([
    ['nbf 30 s in the future', () => keys.sign(claims({ nbf: now() + 30 }))],
    ['exp 30 s ago', () => keys.sign(claims({ exp: now() - 30 }))],
  ])('accepts %s (within the 60 s tolerance): the bound is not off by a minute', async (_name, token) => {
    const result = await verify(await token(), ['--json'])
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout).verification).toMatchObject({ valid: true, alg: 'ES256', kid: 'k1' })
  })

  it('a corrupt JWKS cache file is ignored and fetched again', async () => {
    const token = await keys.sign(claims())
    expect((await verify(token)).code).toBe(0)
    const cacheDir = join(t.configDir, 'cache')
    await mkdir(cacheDir, { recursive: true })
    const { readdir } = await import('node:fs/promises')
    const [file] = (await readdir(cacheDir)).filter((f) => f.startsWith('jwks-'))
    expect(file).toBeDefined()
    await writeFile(join(cacheDir, file!), '{"fetchedAt": 9999999999, "jwks": {"keys": [tor')
    const before = fault.count('/jwks')
    const again = await verify(token)
    expect(again.code, again.stderr).toBe(0)
    expect(fault.count('/jwks')).toBe(before + 1)
  })

  it.each([
    ['answers an HTML page', html(200, '<html>maintenance</html>'), /^error: JWKS endpoint returned HTML \(status 200, text\/html\)$/, 1],
    ['answers the wrong shape', json(200, { keys: 'none' }), /^error: JWKS endpoint returned an unexpected response: keys: /, 1],
    ['answers 10 MiB', huge(10 * 1024 * 1024, { contentLength: false }), /^error: JWKS endpoint sent a response larger than 1024 KiB/, 1],
    ['never answers', stallHeaders, /^error: JWKS endpoint did not answer within 1 s$/, 3],
    ['answers 500', html(500), /^error: JWKS endpoint failed \(status 500, text\/html\)$/, 3],
  ] as const)('when the JWKS endpoint %s: exit 5, bounded', async (_name, behaviour, cause, attempts) => {
    fault.route('/jwks', behaviour)
    const result = await verify(await keys.sign(claims()))
    expect(result.code, result.stderr).toBe(5)
    expectOneErrorLine(result.stderr, cause)
    expect(result.ms).toBeLessThan(12_000)
    expect(fault.count('/jwks')).toBe(attempts)
  })
})

describe('ID tokens in a refresh response (token get): rejected with exit 4, nothing stored', () => {
  const REFRESH = 'stored-refresh-for-id-token-tests-41'
  let before: string

  beforeEach(async () => {
    await writeProfiles(t.configDir, { r: { issuer: fault.origin, clientId: 'rp-client' } })
    await writeSecrets(t.configDir, clientSecretEntry('r', 'rp-client-secret-value-8812'))
    await seedToken(t.configDir, 'r', { access_token: 'expired-access-for-id-token-tests', refresh_token: REFRESH })
    before = await credentialsText(t.configDir)
  })
  const idClaims = (extra: Record<string, unknown> = {}) => ({ iss: fault.origin, aud: 'rp-client', sub: 'user-1', ...extra })

  it('control: a good ID token is accepted and stored', async () => {
    fault.route('/token', tokenResponse({ id_token: await keys.sign(idClaims(), { expiresIn: '10m' }) }))
    const result = await t.run(['token', 'get'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toBe('fresh-access-token-from-fault-server\n')
    expect(await credentialsText(t.configDir)).not.toBe(before)
  })

  it("control: an at_hash of the response's access token is checked, and --explain says so", async () => {
    const atHash = createHash('sha256').update('fresh-access-token-from-fault-server').digest().subarray(0, 16).toString('base64url')
    fault.route('/token', tokenResponse({ id_token: await keys.sign(idClaims({ at_hash: atHash }), { expiresIn: '10m' }) }))
    const result = await t.run(['token', 'get', '--explain'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain('   ✓ at_hash: the ID token was issued with this access token\n')
  })

  it.each([
    ['an at_hash of another access token', () => keys.sign(idClaims({ at_hash: 'AAAAAAAAAAAAAAAAAAAAAA' }), { expiresIn: '10m' }), /at_hash/],
    ['a wrong audience', () => keys.sign(idClaims({ aud: 'another-client' }), { expiresIn: '10m' }), /aud/],
    ['a wrong issuer', () => keys.sign(idClaims({ iss: 'https://attacker.example.test' }), { expiresIn: '10m' }), /iss/],
    ['a signature by another key under the published kid', () => keys.sign(idClaims(), { key: attacker.privateKey, expiresIn: '10m' }), /signature/],
    ['an expired token', () => keys.sign(idClaims(), { expiresIn: now() - 3600 }), /exp/],
    ['alg none', async () => `${b64({ alg: 'none' })}.${b64({ ...idClaims(), iat: now(), exp: now() + 600 })}.`, /alg|signature/],
  ] as const)('%s', async (_name, make, cause) => {
    fault.route('/token', tokenResponse({ id_token: await make(), refresh_token: 'rotated-refresh-that-must-not-be-stored' }))
    const result = await t.run(['token', 'get'])
    expect(result.code, result.stderr).toBe(4)
    expect(result.stdout).toBe('')
    expectOneErrorLine(result.stderr, cause)
    expect(await credentialsText(t.configDir)).toBe(before)
  })
})
