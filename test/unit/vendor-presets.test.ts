import { describe, expect, it } from 'vitest'
import { type ProfileInput, ProfileSchema } from '../../src/lib/config/schema.js'
import { samlAssertionParameter } from '../../src/lib/grants/saml2-bearer.js'
import { GENESYS_REGIONS, genesysHosts } from '../../src/lib/vendors/genesys/preset.js'
import { hostOrigin } from '../../src/lib/vendors/hosts.js'
import { profileEndpoints, PROVIDERS, vendorFor } from '../../src/lib/vendors/registry.js'
import { PERSONA_VERSION, personaRequest, snakeKeys } from '../../src/lib/vendors/persona/preset.js'
import { loadFixture } from '../fakes/fixtures.js'
import { thrown } from '../helpers/errors.js'

const endpointsOf = (profile: ProfileInput) => profileEndpoints(ProfileSchema.parse(profile))

describe('the registry', () => {
  it('has one entry for every provider; generic, the standard, adapts nothing', () => {
    for (const provider of PROVIDERS) expect(vendorFor(provider)?.provider).toBe(provider)
    const { provider, label, admin, ...hooks } = vendorFor('generic')!
    expect([provider, label.length > 0, admin !== undefined, hooks]).toEqual(['generic', true, true, {}])
  })
})

describe('Genesys Cloud regions', () => {
  it('knows exactly the regions of VENDORS.md (the fixture lists them)', () => {
    expect([...GENESYS_REGIONS]).toEqual(loadFixture('genesys').regionDomains)
  })

  it.each(GENESYS_REGIONS)('%s: login.<region> for OAuth, api.<region> for tokens/me', (region) => {
    expect(endpointsOf({ provider: 'genesys', region })).toEqual({
      authorization: `https://login.${region}/oauth/authorize`,
      token: `https://login.${region}/oauth/token`,
      introspection: `https://api.${region}/api/v2/tokens/me`,
      revocation: `https://api.${region}/api/v2/tokens/me`,
    })
  })

  it('refuses a domain that is not a region, and takes an origin for private or test deployments', () => {
    expect(thrown(() => genesysHosts({ region: 'example.com', endpoints: {} })).code).toBe('bad_region')
    expect(thrown(() => genesysHosts({ region: 'login.mypurecloud.xx', endpoints: {} })).hint).toContain('mypurecloud.com, mypurecloud.ie')
    expect(genesysHosts({ region: 'LOGIN.MyPureCloud.IE', endpoints: {} }).login).toBe('https://login.mypurecloud.ie')
    expect(genesysHosts({ region: 'https://gc.internal.example:8443', endpoints: {} })).toEqual({ api: 'https://gc.internal.example:8443', login: 'https://gc.internal.example:8443' })
  })

  it('explicit endpoints still win over the preset', () => {
    expect(endpointsOf({ provider: 'genesys', region: 'mypurecloud.de', endpoints: { token: 'https://login.mypurecloud.de/custom/token' } }).token).toBe('https://login.mypurecloud.de/custom/token')
  })
})

describe('the other presets', () => {
  it('phone.com: API v4, or the base under an explicit token endpoint', () => {
    expect(endpointsOf({ provider: 'phonecom' })).toEqual({
      authorization: 'https://api.phone.com/v4/oauth/authorization',
      token: 'https://api.phone.com/v4/oauth/access-token',
      introspection: 'https://api.phone.com/v4/oauth/access-token',
    })
    expect(endpointsOf({ provider: 'phonecom', endpoints: { token: 'http://127.0.0.1:7000/v4/oauth/access-token' } }).authorization).toBe('http://127.0.0.1:7000/v4/oauth/authorization')
    expect(vendorFor('phonecom')?.defaultScopes).toEqual(['account-owner'])
  })

  it('Persona: authorize and token under api/v1', () => {
    expect(endpointsOf({ provider: 'persona' })).toEqual({ authorization: 'https://api.withpersona.com/api/v1/oauth/authorize', token: 'https://api.withpersona.com/api/v1/oauth/token' })
  })

  it('Nutanix: HOST:9440/api/nutanix/v3, revocation included', () => {
    expect(endpointsOf({ provider: 'nutanix', host: 'prism.example.test' })).toEqual({
      authorization: 'https://prism.example.test:9440/api/nutanix/v3/oauth/authorize',
      token: 'https://prism.example.test:9440/api/nutanix/v3/oauth/token',
      revocation: 'https://prism.example.test:9440/api/nutanix/v3/oauth/revoke_token',
    })
    expect(vendorFor('nutanix')?.defaultAuthMethod).toBe('client_secret_post')
  })

  it('APIMatic: the authorize URL on the API server, the token endpoint at its auth server; nothing without --host', () => {
    expect(endpointsOf({ provider: 'apimatic', host: 'apimatic.hopto.org:1' })).toEqual({
      authorization: 'https://apimatic.hopto.org:1/oauth/authorize',
      token: 'https://apimatic.hopto.org:1/oauth2/auth-server/request_token',
    })
    expect(endpointsOf({ provider: 'apimatic', endpoints: { token: 'http://127.0.0.1:3000/oauth2/auth-server/request_token' } })).toEqual({ token: 'http://127.0.0.1:3000/oauth2/auth-server/request_token' })
    expect(thrown(() => endpointsOf({ provider: 'apimatic' })).code).toBe('no_host')
    expect(vendorFor('apimatic')?.defaultAuthMethod).toBe('client_secret_basic')
  })

  it('a host is HOST, HOST:PORT or an origin; nothing else', () => {
    expect(hostOrigin('prism.example.test', 'x', 9440)).toBe('https://prism.example.test:9440')
    expect(hostOrigin('localhost:3000', 'x')).toBe('https://localhost:3000')
    expect(hostOrigin('http://127.0.0.1:3000', 'x', 9440)).toBe('http://127.0.0.1:3000')
    expect(thrown(() => hostOrigin('a.example/path', 'x')).code).toBe('bad_host')
  })
})

describe('Persona request pieces', () => {
  it('headers: Persona-Version (overridable), snake answers, a new Idempotency-Key per request', () => {
    const first = personaRequest(new URLSearchParams({ scope: 's', 'persona-version': '2025-12-08' }))
    const second = personaRequest(new URLSearchParams({ scope: 's' }))
    expect(first.headers).toMatchObject({ 'Persona-Version': '2025-12-08', 'Key-Inflection': 'snake' })
    expect(second.headers['Persona-Version']).toBe(PERSONA_VERSION)
    expect(first.headers['Idempotency-Key']).not.toBe(second.headers['Idempotency-Key'])
    expect(first.body.toString()).toBe('scope=s')
  })

  it('answers in any inflection become RFC 6749 names', () => {
    for (const body of [{ 'access-token': 'a', 'expires-in': 1 }, { access_token: 'a', expires_in: 1 }, { accessToken: 'a', expiresIn: 1 }]) {
      expect(snakeKeys(body)).toEqual({ access_token: 'a', expires_in: 1 })
    }
  })
})

describe('SAML 2.0 bearer assertion', () => {
  it('encodes XML as base64url (RFC 7522 §2.1) and passes an encoded one as it is', () => {
    const encoded = (loadFixture('genesys').endpoints.find((e) => e.id === 'token.saml2bearer')?.request.body?.form as { assertion: string }).assertion
    const xml = Buffer.from(encoded, 'base64url').toString('utf8')
    expect(xml.startsWith('<samlp:Response')).toBe(true)
    expect(samlAssertionParameter(xml)).toBe(encoded)
    expect(samlAssertionParameter(encoded)).toBe(encoded)
  })
})
