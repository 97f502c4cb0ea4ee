import fc from 'fast-check'
import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import { CliError } from '../../src/lib/errors.js'
import { HttpClient } from '../../src/lib/http/client.js'
import { OAuthSession } from '../../src/lib/oauth/session.js'
import { ProfileSchema } from '../../src/lib/config/schema.js'
import { inspectToken } from '../../src/lib/tokens/inspect.js'

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

/** Strings that look more or less like JWTs: three dot-separated parts of arbitrary JSON or junk. */
const jwtish = fc.oneof(
  fc.string(),
  fc.tuple(fc.oneof(fc.jsonValue(), fc.string()), fc.oneof(fc.jsonValue(), fc.string()), fc.string()).map(([h, p, s]) => `${b64(h)}.${b64(p)}.${s}`),
  fc.tuple(fc.dictionary(fc.string(), fc.jsonValue()), fc.dictionary(fc.string(), fc.jsonValue())).map(([h, p]) => `${b64({ alg: 'RS256', ...h })}.${b64(p)}.sig`),
)

describe('JWT decoder (token inspect)', () => {
  it('never throws: any input is a decoded JWT or an opaque token', () => {
    fc.assert(
      fc.property(jwtish, fc.integer({ min: 0, max: 2 ** 32 }), (token, now) => {
        const result = inspectToken(token, now)
        expect(['jwt', 'opaque']).toContain(result.format)
        if (result.format === 'jwt') {
          expect(Array.isArray(result.scopes)).toBe(true)
          expect(Array.isArray(result.audience)).toBe(true)
        }
      }),
      { numRuns: 500 },
    )
  })
})

describe('token response parser', () => {
  const profile = ProfileSchema.parse({ endpoints: { token: 'https://as.example.test/token' }, clientId: 'c' })
  const session = new OAuthSession(profile, new HttpClient(), { value: 'secret-value', source: 'env' })
  const parse = (body: string) =>
    session.tokenRequest(
      'token endpoint',
      async () => new Response(body, { status: 200, headers: { 'content-type': 'application/json' } }),
      (response) => oauth.processClientCredentialsResponse(session.as, session.client, response),
    )

  const tokenLike = fc.record(
    {
      access_token: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
      token_type: fc.oneof(fc.constantFrom('Bearer', 'bearer', 'DPoP', 'mac', 'N_A'), fc.string(), fc.integer()),
      expires_in: fc.oneof(fc.integer({ min: -10, max: 2 ** 40 }), fc.double(), fc.string()),
      refresh_token: fc.oneof(fc.string(), fc.integer()),
      scope: fc.oneof(fc.string(), fc.array(fc.string())),
    },
    { requiredKeys: [] },
  )

  it('returns a token or throws a typed CliError, for any JSON body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(tokenLike.map((o) => JSON.stringify(o)), fc.jsonValue().map((v) => JSON.stringify(v)), fc.string()), async (body) => {
        try {
          const token = await parse(body)
          expect(typeof token.access_token).toBe('string')
          expect(token.access_token.length).toBeGreaterThan(0)
          expect(token.token_type).toMatch(/^(bearer|dpop)$/i)
          if (token.expires_in !== undefined) expect(token.expires_in).toBeGreaterThanOrEqual(0)
        } catch (err) {
          expect(err).toBeInstanceOf(CliError)
          expect((err as CliError).exitCode).toBe(5)
        }
      }),
      { numRuns: 500 },
    )
  })

  it('rejects the broken shapes the reliability suite names, with exit 5', async () => {
    for (const body of [
      { token_type: 'Bearer', expires_in: 60 },
      { access_token: 'x', token_type: 'Bearer', expires_in: -5 },
      { access_token: 'x', token_type: 'Bearer', expires_in: 10 ** 12 },
      { access_token: 'x', token_type: 'mac', expires_in: 60 },
    ]) {
      await expect(parse(JSON.stringify(body))).rejects.toMatchObject({ kind: 'bad_response', exitCode: 5 })
    }
  })
})
