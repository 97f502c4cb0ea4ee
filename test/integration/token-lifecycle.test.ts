import { generateKeyPairSync } from 'node:crypto'
import { spawn } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { decodeJwt, importJWK, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoClients, type Sandbox } from '../../src/lib/sandbox/server.js'
import { secretKeys } from '../../src/lib/storage/keys.js'
import { tokenCacheKey } from '../../src/lib/tokens/cache.js'
import { tokenLockName } from '../../src/lib/tokens/context.js'
import { type JwtIssuer, startJwtIssuer } from '../fakes/jwt-issuer.js'
import type { Sandboxed } from '../helpers/cli.js'
import { useIsolated, useSandbox } from '../helpers/lifecycle.js'
import { readStored, seedToken } from '../helpers/stored-token.js'
import { credentialEntries } from '../helpers/config-files.js'
import { issueRefreshToken } from '../helpers/sandbox-grants.js'

const clientKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const clientPublicJwk = { ...clientKey.publicKey.export({ format: 'jwk' }), kid: 'client-k1', alg: 'ES256', use: 'sig' }
const JWT_SECRET = 'a-client-secret-long-enough-for-hs256-0123456789'

let sandbox: Sandbox
let jwtIssuer: JwtIssuer
let t: Sandboxed

useSandbox(
  (s) => (sandbox = s),
  {
    clients: [
      ...demoClients(),
      { client_id: 'jwt-client', client_secret: JWT_SECRET, token_endpoint_auth_method: 'client_secret_jwt', grant_types: ['client_credentials'], response_types: [], redirect_uris: [] },
      { client_id: 'pk-client', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [clientPublicJwk] }, grant_types: ['client_credentials'], response_types: [], redirect_uris: [] },
    ],
  },
)
useIsolated((i) => (t = i))
beforeAll(async () => {
  jwtIssuer = await startJwtIssuer()
})
afterAll(async () => {
  await jwtIssuer.close()
})

const addProfile = (name: string, clientId: string, extra: string[] = [], secret?: string) =>
  t.run(['profiles', 'add', name, '--issuer', sandbox.issuer, '--client-id', clientId, ...(secret ? ['--client-secret-stdin'] : []), ...extra], { stdin: secret })

const introspectAsAdmin = async (token: string) => {
  const res = await fetch(`${sandbox.issuer}/token/introspection`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('demo-confidential:demo-confidential-secret').toString('base64')}` },
    body: new URLSearchParams({ token }),
  })
  return (await res.json()) as { active: boolean }
}

describe('refresh', () => {
  it('refreshes an expired token, persists the rotated refresh token, and the old one is dead', async () => {
    await addProfile('r', 'demo-confidential', [], 'demo-confidential-secret')
    const oldRefresh = await issueRefreshToken(sandbox, { clientId: 'demo-confidential' })
    const key = await seedToken(t.configDir, 'r', { access_token: 'expired-access-token', refresh_token: oldRefresh })
    sandbox.resetCounts()
    const result = await t.run(['token', 'get'])
    expect(result.code).toBe(0)
    expect(sandbox.requestCount('/token')).toBe(1)
    const stored = await readStored(t.configDir, key)
    expect(stored?.grant).toBe('refresh_token')
    expect(stored?.access_token).toBe(result.stdout.trim())
    expect(stored?.refresh_token).toBeTruthy()
    expect(stored?.refresh_token).not.toBe(oldRefresh)
    expect(stored?.id_token).toBeTruthy()
    expect(await introspectAsAdmin(oldRefresh)).toMatchObject({ active: false })
    expect(await introspectAsAdmin(stored!.refresh_token!)).toMatchObject({ active: true })
  })

  it('token refresh forces a refresh and reports the rotation without printing tokens', async () => {
    await addProfile('r', 'demo-confidential', [], 'demo-confidential-secret')
    const refresh = await issueRefreshToken(sandbox, { clientId: 'demo-confidential' })
    await seedToken(t.configDir, 'r', { access_token: 'still-fresh', refresh_token: refresh, expires_at: Math.floor(Date.now() / 1000) + 3600 })
    const result = await t.run(['token', 'refresh', '--json'])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ refreshed: true, refreshTokenRotated: true, tokenType: 'Bearer' })
    expect(result.stdout).not.toContain(refresh)
  })

  it('refreshes for a public client (auth method none)', async () => {
    await addProfile('pub', 'demo-public', ['--auth-method', 'none'])
    const refresh = await issueRefreshToken(sandbox, { clientId: 'demo-public' })
    await seedToken(t.configDir, 'pub', { access_token: 'expired', refresh_token: refresh })
    const result = await t.run(['token', 'get'])
    expect(result.code).toBe(0)
    expect(decodeJwt(result.stdout.trim()).client_id).toBe('demo-public')
  })

  it('a rejected refresh token is deleted and the command says log in (exit 3)', async () => {
    await addProfile('pub', 'demo-public', ['--auth-method', 'none'])
    const key = await seedToken(t.configDir, 'pub', { access_token: 'expired', refresh_token: 'not-a-real-refresh-token' })
    const result = await t.run(['token', 'get'])
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/^error: the stored refresh token was rejected \(invalid_grant/m)
    expect(await readStored(t.configDir, key)).toBeUndefined()
  })

  it('10 parallel token get after expiry cause exactly one refresh, and all print the same token', async () => {
    await addProfile('r', 'demo-confidential', [], 'demo-confidential-secret')
    const refresh = await issueRefreshToken(sandbox, { clientId: 'demo-confidential' })
    await seedToken(t.configDir, 'r', { access_token: 'expired', refresh_token: refresh })
    sandbox.resetCounts()
    const results = await Promise.all(Array.from({ length: 10 }, () => t.run(['token', 'get'], { timeoutMs: 30_000 })))
    expect(results.map((r) => r.code)).toEqual(Array(10).fill(0))
    expect(new Set(results.map((r) => r.stdout)).size).toBe(1)
    expect(sandbox.requestCount('/token')).toBe(1)
  }, 60_000)

  it('recovers a lock left by a killed process', async () => {
    await addProfile('cc', 'demo-confidential', [], 'demo-confidential-secret')
    const target = join(t.configDir, 'locks', `${tokenLockName('cc', tokenCacheKey({ scopes: [] }))}.lock-target`)
    await mkdir(join(t.configDir, 'locks'), { recursive: true })
    await writeFile(target, '')
    // A process takes the lock exactly as oauthctl does, then dies without releasing it.
    const lockfile = resolve(import.meta.dirname, '../../node_modules/proper-lockfile/index.js')
    const holder = spawn(process.execPath, ['-e', `require(${JSON.stringify(lockfile)}).lock(${JSON.stringify(target)}, { stale: 10000, realpath: false }).then(() => process.kill(process.pid, 'SIGKILL'))`])
    await new Promise((r) => holder.on('exit', r))
    expect(holder.signalCode).toBe('SIGKILL')
    const result = await t.run(['token', 'get'], { timeoutMs: 40_000 })
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^eyJ/)
  }, 60_000)
})

describe('client authentication methods', () => {
  it('client_secret_jwt', async () => {
    await addProfile('j', 'jwt-client', ['--auth-method', 'client_secret_jwt'], JWT_SECRET)
    const result = await t.run(['token', 'get'])
    expect(result.code).toBe(0)
    expect(decodeJwt(result.stdout.trim()).client_id).toBe('jwt-client')
  })

  it('client_secret_jwt with a wrong secret is exit 4', async () => {
    await addProfile('j', 'jwt-client', ['--auth-method', 'client_secret_jwt'], `${JWT_SECRET}-wrong`)
    const result = await t.run(['token', 'get'])
    expect(result.code).toBe(4)
    expect(result.stderr).toMatch(/^error: invalid_client/m)
  })

  it('private_key_jwt with a PEM key, and a wrong key is exit 4', async () => {
    const pem = join(t.home, 'client.pem')
    await writeFile(pem, clientKey.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, { mode: 0o600 })
    await addProfile('pk', 'pk-client', ['--auth-method', 'private_key_jwt', '--private-key', pem])
    const ok = await t.run(['token', 'get'])
    expect(ok.code).toBe(0)
    expect(decodeJwt(ok.stdout.trim()).client_id).toBe('pk-client')

    const otherJwk = join(t.home, 'other.jwk')
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' })
    await writeFile(otherJwk, JSON.stringify({ ...other, kid: 'client-k1' }))
    await addProfile('pk', 'pk-client', ['--private-key', otherJwk])
    const bad = await t.run(['token', 'get', '--force'])
    expect(bad.code).toBe(4)
    expect(bad.stderr).toMatch(/^error: invalid_client/m)
  })

  it('a private key file that is not a key is exit 2 naming the file', async () => {
    const path = join(t.home, 'junk.pem')
    await writeFile(path, 'not a key')
    await addProfile('pk', 'pk-client', ['--auth-method', 'private_key_jwt', '--private-key', path])
    const result = await t.run(['token', 'get'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`${path} is not a usable private key`)
  })
})

describe('token exchange and JWT bearer (focused loopback server: oidc-provider has neither grant)', () => {
  const addFake = (extra: string[] = []) =>
    t.run(['profiles', 'add', 'x', '--token-endpoint', `${jwtIssuer.issuer}/token`, '--client-id', 'exchanger', '--client-secret-stdin', ...extra], { stdin: 'exchanger-secret' })

  it('token_exchange reads the subject token from stdin and sends RFC 8693 fields', async () => {
    await addFake()
    const before = jwtIssuer.tokenCalls.length
    const result = await t.run(['token', 'get', '--grant', 'token_exchange', '--subject-token', '-', '--audience', 'backend', '--requested-token-type', 'access_token'], { stdin: 'upstream-subject-token' })
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^exchanged-\d+\n$/)
    const call = jwtIssuer.tokenCalls[before]!
    expect(Object.fromEntries(call.form)).toMatchObject({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: 'upstream-subject-token',
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      audience: 'backend',
    })
    // RFC 6749 §2.3.1: id and secret are form-encoded before base64 (oauth4webapi encodes "-" too).
    const [id, secret] = Buffer.from(call.authorization!.replace(/^Basic /, ''), 'base64').toString().split(':').map(decodeURIComponent)
    expect([id, secret]).toEqual(['exchanger', 'exchanger-secret'])
    // The exchanged token is printed, not stored as the profile's own.
    expect(Object.keys(await credentialEntries(t.configDir))).toEqual(['profile/x/client-secret'])
  })

  it('refuses a subject token given as a literal value', async () => {
    await addFake()
    const result = await t.run(['token', 'get', '--grant', 'token_exchange', '--subject-token', 'literal-token-value'])
    expect(result.code).toBe(2)
    expect(result.stderr).not.toContain('literal-token-value')
  })

  it('jwt_bearer signs an assertion with the profile key: iss = sub = client id, aud = token endpoint', async () => {
    const pem = join(t.home, 'client.pem')
    await writeFile(pem, clientKey.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string)
    await addFake(['--private-key', pem])
    const before = jwtIssuer.tokenCalls.length
    const result = await t.run(['token', 'get', '--grant', 'jwt_bearer'])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^bearer-\d+\n$/)
    const assertion = jwtIssuer.tokenCalls[before]!.form.get('assertion')!
    const { payload } = await jwtVerify(assertion, await importJWK(clientPublicJwk, 'ES256'), { audience: `${jwtIssuer.issuer}/token`, issuer: 'exchanger', subject: 'exchanger' })
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(300)
    expect(payload.jti).toBeTruthy()
  })

  it('jwt_bearer with --assertion-file sends that assertion', async () => {
    await addFake()
    const file = join(t.home, 'assertion.jwt')
    await writeFile(file, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.\n')
    const before = jwtIssuer.tokenCalls.length
    const result = await t.run(['token', 'get', '--grant', 'jwt_bearer', '--assertion-file', file])
    expect(result.code).toBe(0)
    expect(jwtIssuer.tokenCalls[before]!.form.get('assertion')).toBe('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.')
  })
})

describe('inspect --verify', () => {
  const addVerifier = () => t.run(['profiles', 'add', 'v', '--issuer', jwtIssuer.issuer, '--client-id', 'verifier', '--audience', 'api'])
  const base = () => ({ iss: jwtIssuer.issuer, aud: 'api', sub: 'someone' })

  it('verifies a good token and fetches the JWKS once (cached after)', async () => {
    await addVerifier()
    const token = await jwtIssuer.sign(base(), { expiresIn: '1h' })
    const before = jwtIssuer.jwksRequests
    const first = await t.run(['token', 'inspect', token, '--verify', '--json'])
    expect(first.code).toBe(0)
    expect(JSON.parse(first.stdout).verification).toMatchObject({ valid: true, alg: 'ES256', checked: ['signature', 'iss', 'exp', 'nbf', 'aud'] })
    expect((await t.run(['token', 'inspect', token, '--verify'])).code).toBe(0)
    expect(jwtIssuer.jwksRequests - before).toBe(1)
  })

  it.each([
    ['tampered', async () => {
      const [h, p, s] = (await jwtIssuer.sign(base(), { expiresIn: '1h' })).split('.')
      const claims = JSON.parse(Buffer.from(p!, 'base64url').toString())
      return `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString('base64url')}.${s}`
    }, /signature/],
    ['expired', () => jwtIssuer.sign(base(), { expiresIn: Math.floor(Date.now() / 1000) - 3600 }), /exp/],
    ['wrong audience', () => jwtIssuer.sign({ ...base(), aud: 'other' }, { expiresIn: '1h' }), /aud/],
    ['wrong issuer', () => jwtIssuer.sign({ ...base(), iss: 'https://evil.example' }, { expiresIn: '1h' }), /iss/],
    ['alg none', async () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...base(), exp: 9999999999 })).toString('base64url')}.`, /alg|JWS/],
    ['HS256 with the public key as secret', () => jwtIssuer.sign(base(), { alg: 'HS256', key: new TextEncoder().encode(JSON.stringify(jwtIssuer.publicJwk)), expiresIn: '1h' }), /alg/],
    ['unknown kid', () => jwtIssuer.sign(base(), { kid: 'nowhere', expiresIn: '1h' }), /no key/],
  ])('rejects a %s token with exit 4', async (_name, make, message) => {
    await addVerifier()
    const result = await t.run(['token', 'inspect', await make(), '--verify'])
    expect(result.code).toBe(4)
    expect(result.stderr).toMatch(/^error: verification failed: /m)
    expect(result.stderr).toMatch(message)
  })

  it('fetches the JWKS again once when the token names a new key', async () => {
    await addVerifier()
    await t.run(['token', 'inspect', await jwtIssuer.sign(base(), { expiresIn: '1h' }), '--verify'])
    const rotated = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    jwtIssuer.publish([jwtIssuer.publicJwk, { ...rotated.publicKey.export({ format: 'jwk' }), kid: 'k2', alg: 'ES256' }])
    const before = jwtIssuer.jwksRequests
    const result = await t.run(['token', 'inspect', await jwtIssuer.sign(base(), { kid: 'k2', key: rotated.privateKey, expiresIn: '1h' }), '--verify'])
    jwtIssuer.publish([jwtIssuer.publicJwk])
    expect(result.code).toBe(0)
    expect(jwtIssuer.jwksRequests - before).toBe(1)
  })

  it('verifies a sandbox access token against its real JWKS', async () => {
    await addProfile('cc', 'demo-confidential', ['--audience', sandbox.resource], 'demo-confidential-secret')
    const token = (await t.run(['token', 'get'])).stdout.trim()
    const result = await t.run(['token', 'inspect', token, '--verify', '--audience', sandbox.resource])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('verified: signature, iss, exp, nbf, aud')
  })
})

describe('introspection and revocation', () => {
  it('introspects an active token, revokes it, then introspection says inactive and the cache forgets it', async () => {
    await addProfile('cc', 'demo-confidential', ['--resource', sandbox.opaqueResource], 'demo-confidential-secret')
    const token = (await t.run(['token', 'get'])).stdout.trim()
    expect(token).not.toMatch(/^eyJ/)
    const active = await t.run(['token', 'inspect', '--introspect', '--json'])
    expect(active.code).toBe(0)
    expect(JSON.parse(active.stdout)).toMatchObject({ format: 'opaque', introspection: { active: true, client_id: 'demo-confidential' } })
    const revoked = await t.run(['token', 'revoke'])
    expect(revoked.code).toBe(0)
    expect(revoked.stdout).toContain('removed from the cache')
    // An opaque token may start with "-" (base64url): after --, it is an argument, not a flag.
    const inactive = await t.run(['token', 'inspect', '--introspect', '--json', '--', token])
    expect(inactive, inactive.stderr).toMatchObject({ code: 0 })
    expect(JSON.parse(inactive.stdout).introspection).toEqual({ active: false })
    const key = secretKeys.token('cc', tokenCacheKey({ scopes: [], resource: sandbox.opaqueResource }))
    expect(await readStored(t.configDir, key)).toBeUndefined()
  })
})

describe('exec', () => {
  it('runs the command with the token in its environment and passes its exit code through', async () => {
    await addProfile('cc', 'demo-confidential', [], 'demo-confidential-secret')
    const token = (await t.run(['token', 'get'])).stdout.trim()
    const script = `process.exit(process.env.OAUTHCTL_ACCESS_TOKEN === ${JSON.stringify(token)} && process.env.AUTH === ${JSON.stringify(`Bearer ${token}`)} ? 7 : 1)`
    const result = await t.run(['exec', '--header-env', 'AUTH', '--', process.execPath, '-e', script])
    expect(result.code).toBe(7)
    expect(sandbox.requestCount('/token')).toBe(1)
  })

  it('a missing command is exit 127, as shells have it', async () => {
    await addProfile('cc', 'demo-confidential', [], 'demo-confidential-secret')
    const result = await t.run(['exec', '--', 'no-such-command-here'])
    expect(result.code).toBe(127)
    expect(result.stderr).toContain('command not found')
  })
})
