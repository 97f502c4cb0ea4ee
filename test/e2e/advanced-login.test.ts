import { generateKeyPairSync } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { calculateJwkThumbprint, decodeJwt, importJWK, type JWK, jwtVerify } from 'jose'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { demoClients, type Sandbox, startSandbox } from '../../src/lib/sandbox/server.js'
import { StoredTokenSchema, type StoredToken } from '../../src/lib/tokens/token-set.js'
import { launchChromium, sandboxConsent, sandboxSignIn, skipBrowserTests, waitForHeading, browserLogin } from '../helpers/browser.js'
import { isolated, type Sandboxed } from '../helpers/cli.js'
import { credentialEntries, readConfig } from '../helpers/config-files.js'

const LOOPBACK = ['http://127.0.0.1/callback']
const PAYMENT = [{ type: 'payment_initiation', instructedAmount: { currency: 'EUR', amount: '10.00' } }]
const jarKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const jarPublicJwk = { ...jarKey.publicKey.export({ format: 'jwk' }), alg: 'ES256', use: 'sig' }

let sandbox: Sandbox
/** Its metadata requires pushed authorization requests, for every client. */
let parSandbox: Sandbox
let t: Sandboxed
let browser: Browser

beforeAll(async () => {
  sandbox = await startSandbox({
    requestObjects: true,
    authorizationDetailsTypes: ['payment_initiation'],
    clients: [
      ...demoClients(),
      // Registered to require PAR: the discovery document cannot tell, so the client must ask for it.
      { client_id: 'par-client', token_endpoint_auth_method: 'none', require_pushed_authorization_requests: true, grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], redirect_uris: LOOPBACK, application_type: 'native' },
      {
        client_id: 'jar-client',
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [jarPublicJwk] },
        require_signed_request_object: true,
        request_object_signing_alg: 'ES256',
        authorization_details_types: ['payment_initiation'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: LOOPBACK,
        application_type: 'native',
      },
    ],
  })
  parSandbox = await startSandbox({ requirePushedAuthorizationRequests: true })
})
afterAll(async () => {
  await Promise.all([sandbox.close(), parSandbox.close()])
})
beforeEach(async () => {
  t = await isolated()
  sandbox.resetCounts()
  parSandbox.resetCounts()
})
afterEach(async () => {
  await t.cleanup()
})

async function addProfile(name: string, issuer: string, clientId: string, extra: string[] = []) {
  const added = await t.run(['profiles', 'add', name, '--issuer', issuer, '--client-id', clientId, '--scope', 'openid', '--scope', 'offline_access', ...extra])
  expect(added.code, added.stderr).toBe(0)
}

const credentials = () => credentialEntries(t.configDir)

async function storedToken(profile: string): Promise<StoredToken | undefined> {
  const entries = Object.entries(await credentials()).filter(([k]) => k.startsWith(`profile/${profile}/token/`))
  expect(entries).toHaveLength(1)
  return StoredTokenSchema.parse(JSON.parse(entries[0]?.[1] ?? 'null'))
}

/** Introspection as the confidential demo client (public clients cannot introspect). */
async function introspect(token: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${sandbox.issuer}/token/introspection`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('demo-confidential:demo-confidential-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }),
  })
  expect(response.status).toBe(200)
  return (await response.json()) as Record<string, unknown>
}

const queryNames = (url: URL) => [...url.searchParams.keys()].sort()

describe.skipIf(skipBrowserTests)('advanced login requests in a browser (Chromium)', () => {
  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
  })


  const signInAndConsent = async (page: Page, url: URL) => {
    await page.goto(url.href)
    await sandboxSignIn(page)
    await sandboxConsent(page)
    await waitForHeading(page, 'Logged in')
  }

  it('PAR: a client that must push is refused without --par (with a hint), and login --par --dpop completes with client_id and request_uri only', async () => {
    await addProfile('par', sandbox.issuer, 'par-client', ['--auth-method', 'none'])
    const refused = await browserLogin(browser, t.env, [], async (page, url) => {
      await page.goto(url.href)
      await waitForHeading(page, 'Login failed')
    })
    expect(refused.result.code).toBe(4)
    expect(refused.result.stderr).toMatch(/^error: invalid_request: Pushed Authorization Request must be used$/m)
    expect(refused.result.stderr).toMatch(/^hint: this client must use a pushed authorization request: run oauthctl login --par$/m)

    sandbox.resetCounts()
    const { result, url } = await browserLogin(browser, t.env, ['--par', '--dpop'], signInAndConsent)
    expect(result.code, result.stderr).toBe(0)
    expect(queryNames(url)).toEqual(['client_id', 'request_uri'])
    expect(url.searchParams.get('client_id')).toBe('par-client')
    expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/)
    expect(sandbox.requestCount('/request')).toBe(1)

    // DPoP: the code was bound to the key at the PAR endpoint, and the tokens to the same key.
    const token = await storedToken('par')
    expect(token).toMatchObject({ grant: 'authorization_code', token_type: 'DPoP' })
    const jwk = JSON.parse((await credentials())['profile/par/dpop-key'] ?? 'null') as JWK
    const thumbprint = await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y })
    expect(decodeJwt(token?.access_token ?? '').cnf).toEqual({ jkt: thumbprint })
    // oidc-provider binds a public client's refresh token to the key as well: refreshing will need the stored key.
    expect(await introspect(token?.refresh_token ?? '')).toMatchObject({ active: true, client_id: 'par-client', cnf: { jkt: thumbprint } })
  })

  it('PAR is used without --par when the discovery document requires it', async () => {
    await addProfile('auto', parSandbox.issuer, 'demo-public', ['--auth-method', 'none'])
    const config = await readConfig(t.configDir)
    expect(config.profiles.auto.discovery.metadata.require_pushed_authorization_requests).toBe(true)
    const { result, url } = await browserLogin(browser, t.env, [], signInAndConsent)
    expect(result.code, result.stderr).toBe(0)
    expect(queryNames(url)).toEqual(['client_id', 'request_uri'])
    expect(parSandbox.requestCount('/request')).toBe(1)
    expect((await storedToken('auto'))?.refresh_token).toBeTruthy()
  })

  it('JAR with RAR: login --request-object sends a request object signed with the client key, carrying the authorization details', async () => {
    const pem = join(t.home, 'jar-client.pem')
    await writeFile(pem, jarKey.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, { mode: 0o600 })
    await addProfile('jar', sandbox.issuer, 'jar-client', ['--auth-method', 'private_key_jwt', '--private-key', pem, '--resource', sandbox.opaqueResource])
    const details = join(t.home, 'payment.json')
    await writeFile(details, JSON.stringify(PAYMENT))

    const { result, url } = await browserLogin(browser, t.env, ['--request-object', '--authorization-details', details], signInAndConsent)
    expect(result.code, result.stderr).toBe(0)
    expect(queryNames(url)).toEqual(['client_id', 'request'])
    // The client requires signed request objects: the login above completed only because of this one.
    const { payload, protectedHeader } = await jwtVerify(url.searchParams.get('request') ?? '', await importJWK(jarPublicJwk, 'ES256'), {
      issuer: 'jar-client',
      audience: sandbox.issuer,
    })
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'oauth-authz-req+jwt' })
    expect(payload).toMatchObject({ client_id: 'jar-client', response_type: 'code', code_challenge_method: 'S256', scope: 'openid offline_access', resource: sandbox.opaqueResource, authorization_details: PAYMENT })
    expect(payload.redirect_uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/)

    const inspected = await t.run(['token', 'inspect', '--introspect', '--json'])
    expect(inspected.code, inspected.stderr).toBe(0)
    expect(JSON.parse(inspected.stdout).introspection).toMatchObject({ active: true, client_id: 'jar-client', authorization_details: PAYMENT })
  })
})
