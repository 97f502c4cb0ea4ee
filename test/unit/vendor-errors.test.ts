import { describe, expect, it } from 'vitest'
import type { CliError } from '../../src/lib/errors.js'
import type { HttpResponse } from '../../src/lib/http/client.js'
import { type ErrorBodyReader, errorFromResponse, oauthErrorBody } from '../../src/lib/http/response.js'
import { genesysErrorBody } from '../../src/lib/vendors/genesys/preset.js'
import { vendorError } from '../../src/lib/vendors/http.js'
import { nutanixErrorBody } from '../../src/lib/vendors/nutanix/preset.js'
import { personaErrorBody } from '../../src/lib/vendors/persona/preset.js'
import { masonErrorBody } from '../../src/lib/vendors/phonecom/preset.js'
import { type Fixture, fixtureBody, fixtureResponse, loadFixture } from '../fakes/fixtures.js'

const persona = loadFixture('persona')
const phonecom = loadFixture('phonecom')
const nutanix = loadFixture('nutanix')
const genesys = loadFixture('genesys')
const apimatic = loadFixture('apimatic')

/** A buffered response as the HTTP layer hands it over. */
function response(status: number, body: unknown, contentType = 'application/json'): HttpResponse {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body)
  return { status, headers: { 'content-type': contentType }, body: Buffer.from(text), url: 'https://api.example.test/x', contentType, text: () => text }
}
const fromFixture = (fixture: Fixture, id: string, status: number) => {
  const r = fixtureResponse(fixture, id, status)
  return response(status, r.body, r.headers?.['Content-Type'] ?? '')
}
/** What the user sees: exit code and the one `error:` line. */
const seen = (err: CliError) => [err.exitCode, err.message]

describe('Persona {"errors": [...]}', () => {
  it.each([
    ['create-authorization', 401, 'Authentication required'],
    ['create-authorization', 403, 'Access denied: OAuth authorization is not enabled for this organization'],
    ['create-authorization', 422, 'Invalid parameters: scope contains an unknown permission (/scope)'],
    ['create-access-token.authorization_code', 400, 'Bad request: grant-type must be authorization_code'],
    ['create-access-token.authorization_code', 404, 'Not found: authorization code not found or already used'],
  ])('%s %i', (id, status, message) => {
    expect(seen(vendorError(fromFixture(persona, id, status), 'Persona', [personaErrorBody]))).toEqual([4, message])
  })

  it('429 is a network-class failure (exit 5) after retries, naming the title', () => {
    expect(seen(vendorError(fromFixture(persona, 'create-access-token.authorization_code', 429), 'Persona token endpoint', [personaErrorBody]))).toEqual([
      5,
      'Persona token endpoint failed (status 429, application/json): Too many requests',
    ])
  })

  it('joins several errors; ignores what is not its shape', () => {
    const two = { errors: [{ title: 'Invalid parameters', details: 'a is wrong', source: { pointer: '/a' } }, { title: 'Invalid parameters', details: 'b is wrong' }] }
    expect(personaErrorBody(two)).toEqual({ error: 'Invalid parameters', description: 'a is wrong (/a); b is wrong' })
    for (const other of [{ errors: [] }, { errors: [{ detail: 'x' }] }, { error: 'invalid_grant' }, null, 'text']) expect(personaErrorBody(other)).toBeUndefined()
  })
})

describe('phone.com Mason @error', () => {
  it.each([
    ['create-oauth-access-token.error', 401, 'Client authentication failed'],
    ['create-oauth-access-token.error', 422, 'Invalid data: grant_type is required'],
    ['get-oauth-access-token', 401, 'Access token missing or invalid'],
  ])('%s %i', (id, status, message) => {
    expect(seen(vendorError(fromFixture(phonecom, id, status), 'phone.com', [masonErrorBody]))).toEqual([4, message])
  })

  it('the rate-limited shape (429) names its message', () => {
    const { status, body } = (phonecom.errorShapes as { rateLimited: { status: number; body: unknown } }).rateLimited
    expect(seen(vendorError(response(status, body), 'phone.com', [masonErrorBody]))).toEqual([5, 'phone.com failed (status 429, application/json): Too many requests, slow down'])
  })

  it('an RFC 6749 body is read first, should phone.com answer one on its OAuth paths', () => {
    expect(seen(vendorError(response(400, { error: 'invalid_grant', error_description: 'code expired' }), 'phone.com', [masonErrorBody]))).toEqual([4, 'invalid_grant: code expired'])
  })
})

describe('Nutanix v3 envelope and OauthStatus', () => {
  it('the token endpoint 401 envelope, a declined authorization, and the envelope nested under status', () => {
    expect(seen(vendorError(fromFixture(nutanix, 'oauth_token_post.authorization_code', 401), 'Prism', [nutanixErrorBody]))).toEqual([4, 'INVALID_CLIENT: client authentication failed'])
    expect(nutanixErrorBody(fixtureBody(nutanix, 'oauth_authorize_post.denied'))).toEqual({ error: 'ACCESS_DENIED', description: 'user declined access' })
    expect(nutanixErrorBody((nutanix.errorShapes as Record<string, unknown>)['v3.nestedUnderStatus'])).toEqual({ error: 'INVALID_REQUEST', description: 'human readable message' })
  })

  it('a non-JSON 401 (bad Prism credentials) reaches no reader: status and content type, with the hint given', () => {
    const err = vendorError(fromFixture(nutanix, 'any.unauthorized', 401), 'Prism', [nutanixErrorBody], 'check the Prism user')
    expect([...seen(err), err.hint]).toEqual([4, 'Prism refused the request (status 401, text/html)', 'check the Prism user'])
  })
})

describe('Genesys Cloud', () => {
  it('token endpoint errors carry description and error_description: RFC 6749 reads them, ErrorBody does not', () => {
    const body = fixtureBody(genesys, 'token.client_credentials', 401)
    expect(genesysErrorBody(body)).toBeUndefined()
    expect(seen(vendorError(fromFixture(genesys, 'token.client_credentials', 401), 'token endpoint', [genesysErrorBody]))).toEqual([4, 'invalid_client: client not found'])
    expect(seen(vendorError(fromFixture(genesys, 'token.refresh_token', 400), 'token endpoint', [genesysErrorBody]))).toEqual([4, 'invalid_grant: refresh token expired'])
  })

  it('API ErrorBody: 401 bad.credentials, and the normalised 429', () => {
    expect(seen(vendorError(fromFixture(genesys, 'unauthorized', 401), 'Genesys Cloud', [genesysErrorBody]))).toEqual([4, 'bad.credentials: Invalid login credentials (invented text)'])
    expect(seen(vendorError(fromFixture(genesys, 'rateLimited', 429), 'Genesys Cloud', [genesysErrorBody]))[0]).toBe(5)
  })
})

describe('APIMatic: RFC 6749, the six codes as they are', () => {
  it.each((apimatic.enums as { OAuthProviderErrorEnum: string[] }).OAuthProviderErrorEnum)('%s', (code) => {
    expect(seen(errorFromResponse(response(400, { error: code }), 'token endpoint', [oauthErrorBody]))).toEqual([4, code])
    expect(seen(errorFromResponse(response(401, { error: code, error_description: 'why', error_uri: 'https://auth.example.test/e' }), 'token endpoint'))).toEqual([4, `${code}: why`])
  })
})

describe('readers stay out of each other’s way', () => {
  const readers: Array<[string, ErrorBodyReader]> = [
    ['persona', personaErrorBody],
    ['mason', masonErrorBody],
    ['nutanix', nutanixErrorBody],
    ['genesys', genesysErrorBody],
  ]
  const bodies: Record<string, unknown> = {
    persona: fixtureBody(persona, 'create-authorization', 403),
    mason: fixtureBody(phonecom, 'create-oauth-access-token.error', 401),
    nutanix: fixtureBody(nutanix, 'oauth_client_post', 422),
    genesys: fixtureBody(genesys, 'forbidden', 403),
  }
  it.each(readers)('%s reads only its own shape', (name, reader) => {
    for (const [shape, body] of Object.entries(bodies)) expect(reader(body) !== undefined, `${name} on ${shape}`).toBe(shape === name)
  })
})
