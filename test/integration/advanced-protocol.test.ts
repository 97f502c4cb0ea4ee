import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { demoClients, type Sandbox, startSandbox } from '../../src/lib/sandbox/server.js'
import { certificateJwk, certificateThumbprint, CLIENT_SUBJECT, makeTestPki, skipMtlsTests, type TestPki } from '../helpers/certificates.js'
import { isolated, type Sandboxed } from '../helpers/cli.js'
import { readStored, seedToken } from '../helpers/stored-token.js'
import { credentialEntries } from '../helpers/config-files.js'
import { issueRefreshToken } from '../helpers/sandbox-grants.js'

const RAR_SECRET = 'rar-client-secret'
const PAYMENT = [{ type: 'payment_initiation', instructedAmount: { currency: 'EUR', amount: '10.00' }, creditorName: 'Merchant' }]

let t: Sandboxed
beforeEach(async () => {
  t = await isolated()
})
afterEach(async () => {
  await t.cleanup()
})

const credentials = () => credentialEntries(t.configDir)

/** RFC 7638 thumbprint of the DPoP key oauthctl keeps for a profile (the private JWK in secret storage). */
async function storedKeyThumbprint(profile: string): Promise<string> {
  const jwk = JSON.parse((await credentials())[`profile/${profile}/dpop-key`] ?? 'null') as JWK
  expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256' })
  return calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y })
}

/** Put a new P-256 key where oauthctl keeps the profile's DPoP key; returns its thumbprint. */
async function storeDpopKey(profile: string): Promise<string> {
  const path = join(t.configDir, 'credentials.json')
  const file = JSON.parse(await readFile(path, 'utf8').catch(() => '{"version":1,"entries":{}}'))
  const { privateKey } = await generateKeyPair('ES256', { extractable: true })
  file.entries[`profile/${profile}/dpop-key`] = JSON.stringify(await exportJWK(privateKey))
  await writeFile(path, JSON.stringify(file), { mode: 0o600 })
  return storedKeyThumbprint(profile)
}

const ath = (token: string) => createHash('sha256').update(token).digest('base64url')

describe('DPoP (RFC 9449), RAR (RFC 9396)', () => {
  let sandbox: Sandbox

  beforeAll(async () => {
    sandbox = await startSandbox({
      authorizationDetailsTypes: ['payment_initiation'],
      clients: [
        ...demoClients(),
        {
          client_id: 'rar-client',
          client_secret: RAR_SECRET,
          token_endpoint_auth_method: 'client_secret_basic',
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
          authorization_details_types: ['payment_initiation'],
        },
      ],
    })
  })
  afterAll(async () => {
    await sandbox.close()
  })
  beforeEach(() => sandbox.resetCounts())

  const addConfidential = async (name: string, extra: string[] = []) => {
    const added = await t.run(['profiles', 'add', name, '--issuer', sandbox.issuer, '--client-id', 'demo-confidential', '--client-secret-stdin', ...extra], { stdin: 'demo-confidential-secret' })
    expect(added.code, added.stderr).toBe(0)
  }

  it('a DPoP-bound token: type DPoP, cnf.jkt = the stored key, one key for the profile, header output says DPoP', async () => {
    await addConfidential('d', ['--dpop'])
    const got = await t.run(['token', 'get', '--output', 'json'])
    expect(got.code, got.stderr).toBe(0)
    const response = JSON.parse(got.stdout)
    expect(response.tokenType).toBe('DPoP')
    const thumbprint = await storedKeyThumbprint('d')
    // The sandbox's default resource gets JWT access tokens: the binding is in the token itself.
    expect(decodeJwt(response.accessToken).cnf).toEqual({ jkt: thumbprint })
    const inspected = await t.run(['token', 'inspect', '--json'])
    expect(JSON.parse(inspected.stdout).boundTo).toEqual({ method: 'dpop', thumbprint })
    expect((await t.run(['token', 'inspect'])).stdout).toContain(`bound to: DPoP key with thumbprint ${thumbprint} (cnf.jkt)`)

    sandbox.resetCounts()
    const header = await t.run(['token', 'get', '--output', 'header'])
    expect(header.stdout).toBe(`Authorization: DPoP ${response.accessToken}\n`)
    expect(sandbox.requestCount('/token')).toBe(0)

    // A later process proves with the same stored key: the new token names the same thumbprint.
    const again = await t.run(['token', 'get', '--force'])
    expect(again.code, again.stderr).toBe(0)
    expect(decodeJwt(again.stdout.trim()).cnf).toEqual({ jkt: thumbprint })
    expect(Object.keys(await credentials()).filter((k) => k.endsWith('/dpop-key'))).toEqual(['profile/d/dpop-key'])
  })

  it('--dpop on token get replaces a cached Bearer token with a bound one; profiles add --dpop drops what was cached', async () => {
    await addConfidential('b')
    const bearer = await t.run(['token', 'get', '--output', 'json'])
    expect(JSON.parse(bearer.stdout).tokenType).toBe('Bearer')
    expect(decodeJwt(JSON.parse(bearer.stdout).accessToken).cnf).toBeUndefined()
    sandbox.resetCounts()
    const bound = await t.run(['token', 'get', '--dpop', '--output', 'json'])
    expect(bound.code, bound.stderr).toBe(0)
    expect(JSON.parse(bound.stdout).tokenType).toBe('DPoP')
    expect(sandbox.requestCount('/token')).toBe(1)
    expect(decodeJwt(JSON.parse(bound.stdout).accessToken).cnf).toEqual({ jkt: await storedKeyThumbprint('b') })

    // Turning DPoP on (or off) for the profile drops what it cached, which the fast path would otherwise hand out.
    const changed = await t.run(['profiles', 'add', 'b', '--dpop'])
    expect(changed.code, changed.stderr).toBe(0)
    expect(changed.stdout).toContain('1 cached token set dropped: the DPoP or client certificate setting changed')
    expect(Object.keys(await credentials()).filter((k) => k.startsWith('profile/b/token/'))).toEqual([])
    const unchanged = await t.run(['profiles', 'add', 'b', '--scope', 'api:read'])
    expect(unchanged.stdout).not.toContain('dropped')
  })

  it('refresh: proofs made with the stored key, the refreshed token introspects with its cnf.jkt, and another key is refused', async () => {
    const added = await t.run(['profiles', 'add', 'pub', '--issuer', sandbox.issuer, '--client-id', 'demo-public', '--auth-method', 'none', '--dpop'])
    expect(added.code, added.stderr).toBe(0)
    // The key oauthctl keeps in secret storage, and a refresh token bound to it as after a DPoP login:
    // refreshing works only with proofs made with that very key.
    const thumbprint = await storeDpopKey('pub')
    const refreshToken = await issueRefreshToken(sandbox, { clientId: 'demo-public', resource: sandbox.opaqueResource, jkt: thumbprint })
    const key = await seedToken(t.configDir, 'pub', { access_token: 'expired', refresh_token: refreshToken })

    const first = await t.run(['token', 'get'])
    expect(first.code, first.stderr).toBe(0)
    const stored = await readStored(t.configDir, key)
    expect(stored).toMatchObject({ grant: 'refresh_token', token_type: 'DPoP', access_token: first.stdout.trim() })
    expect(stored?.refresh_token).not.toBe(refreshToken)
    // demo-public has no credentials for introspection; the confidential demo client asks.
    const introspection = await introspectAs('demo-confidential', 'demo-confidential-secret', first.stdout.trim())
    expect(introspection).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: thumbprint } })

    const second = await t.run(['token', 'refresh', '--json'])
    expect(second.code, second.stderr).toBe(0)
    expect(JSON.parse(second.stdout)).toMatchObject({ refreshed: true, tokenType: 'DPoP', refreshTokenRotated: true })

    await storeDpopKey('pub')
    const wrongKey = await t.run(['token', 'refresh'])
    expect(wrongKey.code).toBe(3)
    expect(wrongKey.stderr).toMatch(/^error: the stored refresh token was rejected \(invalid_grant/m)
  })

  describe('with server nonces', () => {
    let nonces: Sandbox
    beforeAll(async () => {
      nonces = await startSandbox({ dpopNonces: true })
    })
    afterAll(async () => {
      await nonces.close()
    })

    it('answers the use_dpop_nonce challenge once, with the nonce the server sent', async () => {
      const added = await t.run(['profiles', 'add', 'n', '--issuer', nonces.issuer, '--client-id', 'demo-confidential', '--client-secret-stdin', '--dpop'], { stdin: 'demo-confidential-secret' })
      expect(added.code, added.stderr).toBe(0)
      nonces.resetCounts()
      const got = await t.run(['token', 'get', '-v'])
      expect(got.code, got.stderr).toBe(0)
      expect(nonces.requestCount('/token')).toBe(2)
      expect(got.stderr).toMatch(/< 400 Bad Request[\s\S]*< dpop-nonce: \S+[\s\S]*"error":"use_dpop_nonce"[\s\S]*< 200 OK/)
      expect(got.stderr).toContain('> dpop: [REDACTED]')
      expect(decodeJwt(got.stdout.trim()).cnf).toEqual({ jkt: await storedKeyThumbprint('n') })
    })
  })

  it('token get --dpop-proof: a proof bound to the token and the key, accepted once and rejected when replayed', async () => {
    await addConfidential('d', ['--dpop'])
    const tokenEndpoint = `${sandbox.issuer}/token`
    const out = await t.run(['token', 'get', '--dpop-proof', '--htm', 'post', '--htu', `${tokenEndpoint}?ignored=1`, '--output', 'json'])
    expect(out.code, out.stderr).toBe(0)
    const { accessToken, dpopProof: proof } = JSON.parse(out.stdout)
    expect(decodeProtectedHeader(proof)).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256' })
    expect(await calculateJwkThumbprint(decodeProtectedHeader(proof).jwk as JWK)).toBe(await storedKeyThumbprint('d'))
    expect(decodeJwt(proof)).toMatchObject({ htm: 'POST', htu: tokenEndpoint, ath: ath(accessToken) })

    const raw = await t.run(['token', 'get', '--dpop-proof', '--htu', 'https://api.example.test/me'])
    expect(decodeJwt(raw.stdout.trim())).toMatchObject({ htm: 'GET', htu: 'https://api.example.test/me', ath: ath(accessToken) })
    expect(decodeJwt(raw.stdout.trim()).jti).not.toBe(decodeJwt(proof).jti)
    const header = await t.run(['token', 'get', '--dpop-proof', '--htu', 'https://api.example.test/me', '--output', 'header'])
    expect(header.stdout).toMatch(new RegExp(`^Authorization: DPoP ${accessToken}\nDPoP: eyJ[\\w-]+\\.[\\w-]+\\.[\\w-]+\n$`))

    // The proof is a real one: the token endpoint accepts it once (the server's check of jti), and never again.
    const send = () =>
      fetch(tokenEndpoint, {
        method: 'POST',
        headers: { authorization: basic('demo-confidential', 'demo-confidential-secret'), 'content-type': 'application/x-www-form-urlencoded', dpop: proof },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      })
    const accepted = await send()
    expect(accepted.status).toBe(200)
    expect(await accepted.json()).toMatchObject({ token_type: 'DPoP' })
    // The same request again: only the proof's jti has been seen before (oidc-provider does not say why in the body).
    const replayed = await send()
    expect(replayed.status).toBe(400)
    expect(await replayed.json()).toMatchObject({ error: 'invalid_grant' })
  })

  it('--dpop-proof goes with --htu (exit 2), and exec gives the child a proof for the request it names', async () => {
    await addConfidential('d', ['--dpop'])
    for (const args of [['--dpop-proof'], ['--htu', 'https://api.example.test/'], ['--dpop-proof', '--htu', 'not a url'], ['--dpop-proof', '--htu', 'https://x.test', '--htm', 'GE T']]) {
      const bad = await t.run(['token', 'get', ...args])
      expect(bad.code, args.join(' ')).toBe(2)
      expect(bad.stderr).toMatch(/^error: --(dpop-proof|htu|htm) /m)
    }
    const script = `
      const jwt = (t) => JSON.parse(Buffer.from(t.split('.')[1], 'base64url'))
      const proof = jwt(process.env.OAUTHCTL_DPOP_PROOF)
      const ath = require('node:crypto').createHash('sha256').update(process.env.OAUTHCTL_ACCESS_TOKEN).digest('base64url')
      const ok = process.env.OAUTHCTL_TOKEN_TYPE === 'DPoP' && process.env.AUTH === 'DPoP ' + process.env.OAUTHCTL_ACCESS_TOKEN
        && proof.htm === 'DELETE' && proof.htu === 'https://api.example.test/items/1' && proof.ath === ath
      process.exit(ok ? 7 : 1)`
    const result = await t.run(['exec', '--header-env', 'AUTH', '--htm', 'DELETE', '--htu', 'https://api.example.test/items/1', '--', process.execPath, '-e', script])
    expect(result.code, result.stderr).toBe(7)
  })

  it('RAR: details validated before sending (exit 2), sent as authorization_details, and shown by introspection', async () => {
    const added = await t.run(['profiles', 'add', 'rar', '--issuer', sandbox.issuer, '--client-id', 'rar-client', '--client-secret-stdin', '--resource', sandbox.opaqueResource], { stdin: RAR_SECRET })
    expect(added.code, added.stderr).toBe(0)
    sandbox.resetCounts()
    for (const [value, message] of [
      ['{"type":"payment_initiation"}', '--authorization-details: must be a JSON array of objects'],
      ['[{"amount":"1"}]', '--authorization-details: [0].type: each entry needs a string "type"'],
      ['[{"type":""}]', '--authorization-details: [0].type: each entry needs a non-empty "type"'],
      ['[]', '--authorization-details: must not be an empty array'],
      ['[{"type":', '--authorization-details: not valid JSON'],
      [join(t.home, 'missing.json'), `--authorization-details: cannot read ${join(t.home, 'missing.json')}: ENOENT`],
    ]) {
      const bad = await t.run(['token', 'get', '--authorization-details', value!])
      expect(bad.code, value).toBe(2)
      expect(bad.stderr).toContain(`error: ${message}`)
    }
    expect(sandbox.requestCount('/token')).toBe(0)

    const refused = await t.run(['token', 'get', '--authorization-details', '[{"type":"account_information"}]'])
    expect(refused.code).toBe(4)
    expect(refused.stderr).toMatch(/^error: invalid_authorization_details: /m)

    const file = join(t.home, 'payment.json')
    await writeFile(file, JSON.stringify(PAYMENT))
    const got = await t.run(['token', 'get', '--authorization-details', file, '--output', 'json'])
    expect(got.code, got.stderr).toBe(0)
    expect(JSON.parse(got.stdout).response.authorization_details).toEqual(PAYMENT)
    const inspected = await t.run(['token', 'inspect', '--introspect', '--json', '--', JSON.parse(got.stdout).accessToken])
    expect(inspected.code, inspected.stderr).toBe(0)
    expect(JSON.parse(inspected.stdout).introspection).toMatchObject({ active: true, client_id: 'rar-client', authorization_details: PAYMENT })

    // Details are not part of the cache key: such a token is always asked for afresh.
    sandbox.resetCounts()
    const inline = await t.run(['token', 'get', '--authorization-details', JSON.stringify(PAYMENT)])
    expect(inline.code, inline.stderr).toBe(0)
    expect(inline.stdout.trim()).not.toBe(JSON.parse(got.stdout).accessToken)
    expect(sandbox.requestCount('/token')).toBe(1)
  })

  async function introspectAs(clientId: string, secret: string, token: string): Promise<Record<string, unknown>> {
    const response = await fetch(`${sandbox.issuer}/token/introspection`, {
      method: 'POST',
      headers: { authorization: basic(clientId, secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }),
    })
    expect(response.status).toBe(200)
    return (await response.json()) as Record<string, unknown>
  }
})

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`

describe.skipIf(skipMtlsTests)('mutual TLS (RFC 8705)', () => {
  let sandbox: Sandbox
  let pki: TestPki
  let pkiDir: string

  beforeAll(async () => {
    pkiDir = await mkdtemp(join(tmpdir(), 'oauthctl-pki-'))
    pki = makeTestPki(pkiDir)
    sandbox = await startSandbox({
      tls: { cert: pki.server.pem, key: await readFile(pki.server.key, 'utf8'), clientCa: pki.ca.pem },
      clients: [
        {
          client_id: 'mtls-client',
          token_endpoint_auth_method: 'tls_client_auth',
          tls_client_auth_subject_dn: CLIENT_SUBJECT,
          tls_client_certificate_bound_access_tokens: true,
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
        },
        {
          client_id: 'self-signed-client',
          token_endpoint_auth_method: 'self_signed_tls_client_auth',
          jwks: { keys: [certificateJwk(pki.selfSigned.pem)] },
          tls_client_certificate_bound_access_tokens: true,
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
        },
      ],
    })
  })
  afterAll(async () => {
    await sandbox?.close()
    await rm(pkiDir, { recursive: true, force: true })
  })
  beforeEach(() => sandbox.resetCounts())

  const add = (name: string, clientId: string, method: string, extra: string[] = []) =>
    t.run(['profiles', 'add', name, '--issuer', sandbox.issuer, '--client-id', clientId, '--auth-method', method, '--ca-file', pki.ca.cert, ...extra])

  it('tls_client_auth through the mtls_endpoint_aliases: a certificate-bound token (cnf.x5t#S256), shown by token inspect', async () => {
    const added = await add('m', 'mtls-client', 'tls_client_auth', ['--cert', pki.client.cert, '--key', pki.client.key])
    expect(added.code, added.stderr).toBe(0)
    const config = JSON.parse(await readFile(join(t.configDir, 'config.json'), 'utf8'))
    expect(config.profiles.m).toMatchObject({ tlsCert: pki.client.cert, tlsKey: pki.client.key })
    expect(config.profiles.m.discovery.metadata.mtls_endpoint_aliases.token_endpoint).toBe(`${sandbox.mtlsOrigin}/token`)

    // Only the alias listener asks for a client certificate: the token comes from there, or not at all.
    const got = await t.run(['token', 'get', '--ca-file', pki.ca.cert, '-v'])
    expect(got.code, got.stderr).toBe(0)
    expect(got.stderr).toContain(`> POST ${sandbox.mtlsOrigin}/token`)
    const thumbprint = certificateThumbprint(pki.client.pem)
    expect(decodeJwt(got.stdout.trim()).cnf).toEqual({ 'x5t#S256': thumbprint })
    const inspected = await t.run(['token', 'inspect'])
    expect(inspected.stdout).toContain(`bound to: client certificate with SHA-256 thumbprint ${thumbprint} (cnf.x5t#S256)`)
  })

  it('without the certificate the server refuses the client (exit 4); --cert/--key on token get supply it', async () => {
    const added = await add('nocert', 'mtls-client', 'tls_client_auth')
    expect(added.code, added.stderr).toBe(0)
    const refused = await t.run(['token', 'get', '--grant', 'client_credentials', '--ca-file', pki.ca.cert, '-v'])
    expect(refused.code).toBe(4)
    expect(refused.stderr).toContain(`> POST ${sandbox.issuer}/token`)
    expect(refused.stderr).toMatch(/^error: invalid_client: /m)

    const withFlags = await t.run(['token', 'get', '--ca-file', pki.ca.cert, '--cert', pki.client.cert, '--key', pki.client.key])
    expect(withFlags.code, withFlags.stderr).toBe(0)
    expect(decodeJwt(withFlags.stdout.trim()).cnf).toEqual({ 'x5t#S256': certificateThumbprint(pki.client.pem) })

    // Another CA's certificate with the right subject is not trusted: tls_client_auth checks the chain.
    const wrong = await t.run(['token', 'get', '--force', '--ca-file', pki.ca.cert, '--cert', pki.selfSigned.cert, '--key', pki.selfSigned.key])
    expect(wrong.code).toBe(4)
    expect(wrong.stderr).toMatch(/^error: invalid_client: /m)
  })

  it('self_signed_tls_client_auth: the registered certificate authenticates and binds the token', async () => {
    const added = await add('self', 'self-signed-client', 'self_signed_tls_client_auth', ['--cert', pki.selfSigned.cert, '--key', pki.selfSigned.key])
    expect(added.code, added.stderr).toBe(0)
    const got = await t.run(['token', 'get', '--ca-file', pki.ca.cert])
    expect(got.code, got.stderr).toBe(0)
    expect(decodeJwt(got.stdout.trim()).cnf).toEqual({ 'x5t#S256': certificateThumbprint(pki.selfSigned.pem) })
  })

  it('profiles add checks the pair: both files, PEM, and the key of that certificate (exit 2)', async () => {
    const mismatched = await add('x', 'mtls-client', 'tls_client_auth', ['--cert', pki.client.cert, '--key', pki.selfSigned.key])
    expect(mismatched.code).toBe(2)
    expect(mismatched.stderr).toContain(`error: --key: ${pki.selfSigned.key} is not the private key of ${pki.client.cert}`)
    const alone = await add('x', 'mtls-client', 'tls_client_auth', ['--cert', pki.client.cert])
    expect(alone.code).toBe(2)
    expect(alone.stderr).toContain('error: a client certificate needs both files: --key (the private key) is missing')
    const notPem = await add('x', 'mtls-client', 'tls_client_auth', ['--cert', pki.client.key, '--key', pki.client.key])
    expect(notPem.code).toBe(2)
    expect(notPem.stderr).toContain(`error: --cert: ${pki.client.key} is not a PEM certificate`)
  })
})
