import { z } from 'zod'
import { describe, expect, it } from 'vitest'
import { commonGrantType, genesysGrantType, genesysRequest, toAdminClient as genesysClient, GenesysClientSchema } from '../../src/lib/vendors/genesys/admin.js'
import { AdminApi, pathSegment } from '../../src/lib/admin/http.js'
import { operation } from '../../src/lib/use-cases/admin.js'
import { NutanixClientSchema, nutanixInput, toAdminClient as nutanixClient } from '../../src/lib/vendors/nutanix/admin.js'
import { genesysErrorBody, genesysHosts } from '../../src/lib/vendors/genesys/preset.js'
import { explicitOrigin } from '../../src/lib/vendors/hosts.js'
import { nutanixBase, nutanixErrorBody } from '../../src/lib/vendors/nutanix/preset.js'
import { masonErrorBody, PHONECOM_BASE, phonecomBase } from '../../src/lib/vendors/phonecom/preset.js'
import { ClientMetadataSchema, registrationMetadata, toAdminClient as registrationClient } from '../../src/lib/vendors/generic/admin.js'
import { AdminClientSchema, type AdminBackend } from '../../src/lib/admin/types.js'
import type { HttpClient, HttpResponse } from '../../src/lib/http/client.js'
import { errorFromResponse } from '../../src/lib/http/response.js'
import { type Fixture, fixtureBody, fixtureResponse, loadFixture } from '../fakes/fixtures.js'
import { thrown } from '../helpers/errors.js'

const genesys = loadFixture('genesys')
const nutanix = loadFixture('nutanix')
const phonecom = loadFixture('phonecom')

/** A buffered response as the HTTP layer hands it over, from a fixture response. */
function response(fixture: Fixture, id: string, status: number): HttpResponse {
  const r = fixtureResponse(fixture, id, status)
  const text = r.body === undefined ? '' : JSON.stringify(r.body)
  const contentType = r.headers?.['Content-Type'] ?? ''
  return { status, headers: { 'content-type': contentType }, body: Buffer.from(text), url: 'https://api.example.test/x', contentType, text: () => text }
}


describe('error bodies of each vendor, through errorFromResponse', () => {
  it.each([
    ['postOauthClients', 400, 4, 'bad.request: accessTokenValiditySeconds must be between 300 and 172800 (field accessTokenValiditySeconds)'],
    ['getOauthClient', 404, 4, 'not.found: The requested OAuth client does not exist'],
    ['deleteOauthClient', 400, 4, 'cannot.delete.client: Client must be inactive before it can be deleted'],
    ['unauthorized', 401, 4, 'bad.credentials: Invalid login credentials (invented text)'],
    ['forbidden', 403, 4, 'missing.permissions: Missing permission oauth:client:delete (invented text)'],
  ])('genesys %s %i', (id, status, exit, message) => {
    const err = errorFromResponse(response(genesys, id, status), 'Genesys Cloud', [genesysErrorBody])
    expect([err.exitCode, err.message, err.httpStatus]).toEqual([exit, message, status])
  })

  it('genesys 429 is a network-class failure (exit 5) naming its code', () => {
    const err = errorFromResponse(response(genesys, 'rateLimited', 429), 'Genesys Cloud', [genesysErrorBody])
    expect(err.exitCode).toBe(5)
    expect(err.message).toBe('Genesys Cloud failed (status 429, application/json): too.many.requests.retry.after')
  })

  it('genesys token endpoint errors (error, description, error_description) are not ErrorBody', () => {
    expect(genesysErrorBody(fixtureBody(genesys, 'token.client_credentials', 401))).toBeUndefined()
  })

  it.each([
    ['oauth_client_post', 422, 'INVALID_REQUEST: client_name exceeds 64 characters'],
    ['oauth_client_client_id_get', 404, 'ENTITY_NOT_FOUND: oauth_client 6f1d2c3b-8a94-4e57-b0c1-2d3e4f5a6b7c not found'],
  ])('nutanix %s %i', (id, status, message) => {
    const err = errorFromResponse(response(nutanix, id, status), 'Nutanix', [nutanixErrorBody])
    expect([err.exitCode, err.message]).toEqual([4, message])
  })

  it('nutanix: the envelope nested under status, and a non-JSON 401', () => {
    const shapes = nutanix.errorShapes as Record<string, unknown>
    expect(nutanixErrorBody(shapes['v3.nestedUnderStatus'])).toEqual({ error: 'INVALID_REQUEST', description: 'human readable message' })
    expect(nutanixErrorBody(shapes.v3)).toEqual({ error: 'INVALID_REQUEST', description: 'human readable message' })
    const html: HttpResponse = { status: 401, headers: {}, body: Buffer.from(''), url: 'https://prism.example.test/x', contentType: 'text/html', text: () => '' }
    const err = errorFromResponse(html, 'Nutanix', [nutanixErrorBody])
    expect([err.exitCode, err.message]).toEqual([4, 'Nutanix refused the request (status 401, text/html)'])
  })

  it.each([
    ['delete-account-oauth-client', 409, 'Conflict'],
    ['get-account-oauth-client', 404, 'Not Found'],
    ['create-oauth-access-token.error', 401, 'Client authentication failed'],
    ['create-oauth-access-token.error', 422, 'Invalid data: grant_type is required'],
  ])('phone.com Mason %s %i', (id, status, message) => {
    const err = errorFromResponse(response(phonecom, id, status), 'phone.com', [masonErrorBody])
    expect([err.exitCode, err.message]).toEqual([4, message])
  })

  it('phone.com Mason with a code keeps the message as the description', () => {
    const full = (phonecom.errorShapes as { mason: unknown }).mason
    expect(masonErrorBody(full)).toEqual({ error: 'machine_code', description: 'human readable message; extra message' })
    expect(masonErrorBody({ error: 'x' })).toBeUndefined()
  })
})

describe('genesys', () => {
  it('maps grant types both ways, accepting every spelling the SDKs used', () => {
    for (const [input, enumValue] of [
      ['authorization_code', 'CODE'],
      ['code', 'CODE'],
      ['implicit', 'TOKEN'],
      ['client_credentials', 'CLIENT-CREDENTIALS'],
      ['CLIENT_CREDENTIALS', 'CLIENT-CREDENTIALS'],
      ['urn:ietf:params:oauth:grant-type:saml2-bearer', 'SAML2-BEARER'],
      ['SAML2BEARER', 'SAML2-BEARER'],
      ['password', 'PASSWORD'],
    ]) {
      expect(genesysGrantType(input as string)).toBe(enumValue)
    }
    expect(commonGrantType('SAML2BEARER')).toBe('urn:ietf:params:oauth:grant-type:saml2-bearer')
    expect(commonGrantType('CLIENT-CREDENTIALS')).toBe('client_credentials')
    expect(commonGrantType('PKCE')).toBe('PKCE')
    expect(thrown(() => genesysGrantType('device_code')).exitCode).toBe(2)
  })

  it('derives the API and login hosts from the region, an origin, or the token endpoint', () => {
    expect(genesysHosts({ region: 'mypurecloud.ie', endpoints: {} })).toEqual({ api: 'https://api.mypurecloud.ie', login: 'https://login.mypurecloud.ie' })
    expect(genesysHosts({ region: 'api.usw2.pure.cloud', endpoints: {} })).toEqual({ api: 'https://api.usw2.pure.cloud', login: 'https://login.usw2.pure.cloud' })
    expect(genesysHosts({ region: 'http://127.0.0.1:4000', endpoints: {} })).toEqual({ api: 'http://127.0.0.1:4000', login: 'http://127.0.0.1:4000' })
    expect(genesysHosts({ endpoints: { token: 'https://login.mypurecloud.de/oauth/token' } }).api).toBe('https://api.mypurecloud.de')
    expect(thrown(() => genesysHosts({ endpoints: {} })).code).toBe('no_region')
    expect(thrown(() => genesysHosts({ region: 'not a domain', endpoints: {} })).code).toBe('bad_region')
    expect(thrown(() => genesysHosts({ region: 'https://x.example/path', endpoints: {} })).code).toBe('bad_url')
  })

  it('builds OAuthClientRequest fields and refuses mixes Genesys rejects', () => {
    expect(genesysRequest({ name: 'n', grantTypes: ['client_credentials'], roleDivisions: [{ roleId: 'r', divisionId: 'd' }], tokenTtl: 600 })).toEqual({
      name: 'n',
      description: undefined,
      accessTokenValiditySeconds: 600,
      registeredRedirectUri: undefined,
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      scope: undefined,
      roleDivisions: [{ roleId: 'r', divisionId: 'd' }],
    })
    expect(thrown(() => genesysRequest({ grantTypes: ['code', 'token'] })).exitCode).toBe(2)
    expect(thrown(() => genesysRequest({ scopes: ['s'] }, 'CLIENT-CREDENTIALS')).code).toBe('unsupported_field')
    expect(thrown(() => genesysRequest({ roleDivisions: [{ roleId: 'r', divisionId: 'd' }] }, 'CODE')).code).toBe('unsupported_field')
    // An update that changes neither keeps the current grant.
    expect(genesysRequest({ name: 'x' }, 'CODE').authorizedGrantType).toBeUndefined()
  })

  it('turns every fixture client into the common shape with the secret redacted', () => {
    for (const entity of fixtureBody<{ entities: unknown[] }>(genesys, 'getOauthClients').entities) {
      const client = genesysClient(GenesysClientSchema.parse(entity))
      expect(AdminClientSchema.safeParse(client).success).toBe(true)
      expect(JSON.stringify(client)).not.toMatch(/"secret":"(?!\[REDACTED\])/)
    }
  })
})

describe('nutanix', () => {
  it('derives https://HOST:9440/api/nutanix/v3, keeping a given port or origin', () => {
    expect(nutanixBase({ host: 'prism.example.test' })).toBe('https://prism.example.test:9440/api/nutanix/v3')
    expect(nutanixBase({ host: 'prism.example.test:9443' })).toBe('https://prism.example.test:9443/api/nutanix/v3')
    expect(nutanixBase({ host: '[fd00::1]' })).toBe('https://[fd00::1]:9440/api/nutanix/v3')
    expect(nutanixBase({ host: 'http://127.0.0.1:5000' })).toBe('http://127.0.0.1:5000/api/nutanix/v3')
    expect(thrown(() => nutanixBase({})).code).toBe('no_host')
    expect(thrown(() => nutanixBase({ host: 'prism/path' })).code).toBe('bad_host')
  })

  it('sends the whole OauthClientInput, merged over the current client, within the limits', () => {
    const current = NutanixClientSchema.parse(fixtureBody(nutanix, 'oauth_client_client_id_get', 200))
    expect(nutanixInput({ description: 'd' }, current)).toEqual({
      client_name: 'oauth-cli-dev',
      redirect_uris: ['http://127.0.0.1:8765/callback'],
      client_description: 'd',
      default_scopes: ['vm.read', 'cluster.read'],
    })
    expect(nutanixInput({ name: 'n' })).toEqual({ client_name: 'n', redirect_uris: [], client_description: '', default_scopes: [] })
    expect(nutanixInput({ name: 'n'.repeat(64) }).client_name).toHaveLength(64)
    expect(thrown(() => nutanixInput({ name: 'n'.repeat(65) })).code).toBe('too_long')
    expect(thrown(() => nutanixInput({ name: 'n', description: 'd'.repeat(1001) })).code).toBe('too_long')
    expect(thrown(() => nutanixInput({})).code).toBe('missing_name')
    const client = nutanixClient(current)
    expect(client.raw.client_secret).toBe('[REDACTED]')
    expect(AdminClientSchema.safeParse(client).success).toBe(true)
  })
})

describe('phone.com and RFC 7591', () => {
  it('takes the phone.com API base from the token endpoint', () => {
    expect(phonecomBase({ endpoints: { token: 'http://127.0.0.1:7000/v4/oauth/access-token' } })).toBe('http://127.0.0.1:7000/v4')
    expect(phonecomBase({ endpoints: {} })).toBe(PHONECOM_BASE)
  })

  it('derives response_types from grant_types (RFC 7591 §2.1)', () => {
    expect(registrationMetadata({ name: 'n', grantTypes: ['client_credentials'], scopes: ['a', 'b'] })).toEqual({ client_name: 'n', grant_types: ['client_credentials'], response_types: [], scope: 'a b' })
    expect(registrationMetadata({ grantTypes: ['authorization_code', 'implicit', 'refresh_token'] }).response_types).toEqual(['code', 'token'])
    expect(registrationMetadata({ redirectUris: ['https://a.example/cb'] })).toEqual({ redirect_uris: ['https://a.example/cb'] })
  })

  it('reads registration metadata with RFC defaults and redacts its secrets', () => {
    const meta = ClientMetadataSchema.parse({ client_id: 'c', client_secret: 's3cret-value', registration_access_token: 'rat-value', client_id_issued_at: 1_700_000_000, scope: 'a  b' })
    const client = registrationClient(meta)
    expect(client).toMatchObject({ id: 'c', grantTypes: ['authorization_code'], scopes: ['a', 'b'], created: '2023-11-14T22:13:20.000Z' })
    expect(client.raw).toMatchObject({ client_secret: '[REDACTED]', registration_access_token: '[REDACTED]' })
  })
})

describe('shared pieces', () => {
  it('encodes an id as one path segment, refusing dot segments', () => {
    expect(pathSegment('users:readonly')).toBe('users:readonly')
    expect(pathSegment('a/b?c#d')).toBe('a%2Fb%3Fc%23d')
    expect(pathSegment('%2e%2e')).toBe('%252e%252e')
    for (const bad of ['', '.', '..']) expect(thrown(() => pathSegment(bad)).code).toBe('bad_id')
  })

  it('takes an explicit origin only without path, query or fragment', () => {
    expect(explicitOrigin('prism.example.test', 'x')).toBeUndefined()
    expect(explicitOrigin('https://prism.example.test:9440', 'x')?.origin).toBe('https://prism.example.test:9440')
    expect(thrown(() => explicitOrigin('https://a.example/v3', 'x')).code).toBe('bad_url')
  })

  it('removes: true when it was there, false on a 404, the API’s error on another status, a body checked when a schema is given', async () => {
    const answering = (status: number, body = '') => {
      const res: HttpResponse = { status, headers: { 'content-type': 'application/json' }, body: Buffer.from(body), url: 'https://api.example.test/c/1', contentType: 'application/json', text: () => body }
      const http = { insecure: false, request: async () => res } as unknown as HttpClient
      return new AdminApi('https://api.example.test', { http, label: 'Demo', readers: [] })
    }
    const request = { method: 'DELETE' as const, url: 'https://api.example.test/c/1' }
    const deleted = z.object({ success: z.literal(true) })
    expect(await answering(204).remove(request)).toBe(true)
    expect(await answering(200, '{"success":true}').remove(request, deleted)).toBe(true)
    expect(await answering(404).remove(request, deleted)).toBe(false)
    const refused = await answering(403).remove(request).catch((err: unknown) => err)
    expect(refused).toMatchObject({ exitCode: 4, httpStatus: 403 })
    expect(await answering(500).remove(request, deleted).catch((err: unknown) => err)).toMatchObject({ exitCode: 5, httpStatus: 500 })
    expect(await answering(200, '{"success":false}').remove(request, deleted).catch((err: unknown) => err)).toMatchObject({ code: 'unexpected_response' })
  })

  it('says why a back end lacks an operation (exit 2)', () => {
    const backend = { label: 'Demo', lacks: { list: 'no list here' }, fields: new Set() } as AdminBackend
    expect([thrown(() => operation(backend, 'list')).exitCode, thrown(() => operation(backend, 'list')).message]).toEqual([2, 'Demo cannot list clients: no list here'])
    expect(thrown(() => operation(backend, 'usage')).message).toBe('Demo cannot report client usage: only Genesys Cloud offers this')
    expect(thrown(() => operation(backend, 'delete')).message).toBe('Demo cannot delete clients: its API has no such operation')
  })
})
