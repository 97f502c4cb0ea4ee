import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose'
import { MockAgent } from 'undici'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ProfileSchema } from '../../src/lib/config/schema.js'
import { OAuthError } from '../../src/lib/errors.js'
import { HttpClient } from '../../src/lib/http/client.js'
import { readAuthorizationDetails } from '../../src/lib/oauth/authorization-details.js'
import { OAuthSession } from '../../src/lib/oauth/session.js'
import { introspect } from '../../src/lib/tokens/introspect.js'
import { revoke } from '../../src/lib/tokens/revoke.js'

const ORIGIN = 'https://as.example.test'
const MTLS = 'https://mtls.as.example.test'
const JSON_HEADERS = { 'content-type': 'application/json' }

let agent: MockAgent
beforeEach(() => {
  agent = new MockAgent()
  agent.disableNetConnect()
})
afterEach(async () => {
  try {
    agent.assertNoPendingInterceptors()
  } finally {
    await agent.close()
  }
})

async function session(profile: Record<string, unknown> = {}) {
  const keyPair = await generateKeyPair('ES256', { extractable: true })
  const parsed = ProfileSchema.parse({
    issuer: ORIGIN,
    endpoints: { token: `${ORIGIN}/token`, revocation: `${ORIGIN}/revoke`, introspection: `${ORIGIN}/introspect` },
    clientId: 'cli',
    authMethod: 'none',
    ...profile,
  })
  const http = new HttpClient({ dispatcher: agent, maxAttempts: 1 })
  return { session: new OAuthSession(parsed, http, undefined, { dpopKey: async () => keyPair }), keyPair }
}

const proofOf = (headers: Record<string, string | string[] | undefined> | Headers | undefined) => {
  const value = headers instanceof Headers ? headers.get('dpop') : (headers?.dpop as string | undefined)
  if (!value) throw new Error('no DPoP header')
  return value
}

describe('DPoP proofs oauth4webapi does not make (revocation, introspection)', () => {
  it('revocation carries our proof; a use_dpop_nonce challenge is answered once with the nonce the server sent', async () => {
    const { session: s, keyPair } = await session()
    const proofs: string[] = []
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: '/revoke', method: 'POST' }).reply((request) => {
      proofs.push(proofOf(request.headers))
      return { statusCode: 400, data: { error: 'use_dpop_nonce', error_description: 'nonce required' }, responseOptions: { headers: { ...JSON_HEADERS, 'dpop-nonce': 'server-nonce-1' } } }
    })
    pool.intercept({ path: '/revoke', method: 'POST' }).reply((request) => {
      proofs.push(proofOf(request.headers))
      return { statusCode: 200, data: '' }
    })
    await revoke(s, 'refresh-token-value', 'refresh_token')

    expect(proofs).toHaveLength(2)
    const [first, second] = proofs.map((p) => decodeJwt(p))
    expect(first).toMatchObject({ htm: 'POST', htu: `${ORIGIN}/revoke` })
    expect(first?.nonce).toBeUndefined()
    expect(second).toMatchObject({ htm: 'POST', htu: `${ORIGIN}/revoke`, nonce: 'server-nonce-1' })
    expect(first?.jti).not.toBe(second?.jti)
    const jwk = decodeProtectedHeader(proofs[0] ?? '').jwk as JWK
    expect(await calculateJwkThumbprint(jwk)).toBe(await calculateJwkThumbprint(await exportJWK(keyPair.publicKey)))
  })

  it('a second nonce challenge is the server refusing (exit 4), not a loop', async () => {
    const { session: s } = await session()
    const pool = agent.get(ORIGIN)
    for (let i = 0; i < 2; i++) {
      pool.intercept({ path: '/introspect', method: 'POST' }).reply(400, { error: 'use_dpop_nonce' }, { headers: { ...JSON_HEADERS, 'dpop-nonce': `n${i}` } })
    }
    const failure = await introspect(s, 'some-token').catch((err: unknown) => err)
    expect(failure).toBeInstanceOf(OAuthError)
    expect(failure).toMatchObject({ error: 'use_dpop_nonce', exitCode: 4 })
  })

  it("with a client certificate, requests go to the server's mtls_endpoint_aliases, and proofs name the alias", async () => {
    const { session: s } = await session({
      tlsCert: '/unused/cert.pem',
      tlsKey: '/unused/key.pem',
      discovery: { fetchedAt: new Date().toISOString(), source: 'openid-configuration', metadata: { issuer: ORIGIN, mtls_endpoint_aliases: { revocation_endpoint: `${MTLS}/revoke` } } },
    })
    let proof = ''
    agent
      .get(MTLS)
      .intercept({ path: '/revoke', method: 'POST' })
      .reply((request) => {
        proof = proofOf(request.headers)
        return { statusCode: 200, data: '' }
      })
    await revoke(s, 'access-token-value')
    expect(decodeJwt(proof)).toMatchObject({ htu: `${MTLS}/revoke` })
  })
})

describe('--authorization-details', () => {
  it('accepts an array of objects with a type, keeping every other field', async () => {
    expect(await readAuthorizationDetails(' [{"type":"a","locations":["https://x.test"],"n":1}]')).toEqual([{ type: 'a', locations: ['https://x.test'], n: 1 }])
  })

  it.each([
    ['[1]', '[0]: each entry must be a JSON object'],
    ['[{"type":"a"},{"type":7}]', '[1].type: each entry needs a string "type"'],
    ['[1', 'not valid JSON'],
    ['{}', 'must be a JSON array of objects'],
  ])('refuses %s naming the problem (exit 2)', async (value, message) => {
    const failure = readAuthorizationDetails(value)
    await expect(failure).rejects.toMatchObject({ exitCode: 2 })
    await expect(failure).rejects.toThrow(message)
  })
})
