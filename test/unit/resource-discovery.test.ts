import { describe, expect, it } from 'vitest'
import { chooseAuthorizationServer, resourceMetadataParameter } from '../../src/lib/oauth/resource-discovery.js'
import { profileNameFor } from '../../src/lib/login/resource-profile.js'

describe('RFC 9728 helpers', () => {
  it('reads resource_metadata from a WWW-Authenticate challenge, quoted or not, among other parameters', () => {
    expect(resourceMetadataParameter('Bearer resource_metadata="https://api.example.com/.well-known/oauth-protected-resource"')).toBe(
      'https://api.example.com/.well-known/oauth-protected-resource',
    )
    expect(resourceMetadataParameter('Bearer error="invalid_token", error_description="a, b", resource_metadata="https://x.test/m"')).toBe('https://x.test/m')
    expect(resourceMetadataParameter('Bearer realm="r", RESOURCE_METADATA=https://x.test/m')).toBe('https://x.test/m')
    expect(resourceMetadataParameter('Bearer realm="x", scope="a"')).toBeUndefined()
    // A parameter whose name only ends in resource_metadata is another parameter.
    expect(resourceMetadataParameter('Bearer not_resource_metadata="https://evil.test/m"')).toBeUndefined()
  })

  it('picks the first authorization server, or --issuer only when the resource names it', () => {
    const found = { resource: 'https://api.test/', authorizationServers: ['https://a.test', 'https://b.test/tenant'], scopes: [], metadataUrl: '' }
    expect(chooseAuthorizationServer(found, undefined)).toBe('https://a.test')
    expect(chooseAuthorizationServer(found, 'https://b.test/tenant')).toBe('https://b.test/tenant')
    expect(() => chooseAuthorizationServer(found, 'https://c.test')).toThrow(/not one of the resource's authorization servers/)
  })

  it('names a profile after the resource host', () => {
    expect(profileNameFor('https://api.example.com/mcp')).toBe('api.example.com')
    expect(profileNameFor('http://127.0.0.1:8080/')).toBe('127.0.0.1-8080')
    expect(profileNameFor('http://[::1]:8080/')).toBe('1-8080')
  })
})
