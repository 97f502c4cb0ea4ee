import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { HttpClient } from '../../src/lib/http/client.js'
import { chooseAuthorizationServer, registerPublicClient, resourceMetadataParameter } from '../../src/lib/oauth/resource-discovery.js'
import { profileNameFor } from '../../src/lib/use-cases/resource-profile.js'

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

describe('dynamic registration for a resource login', () => {
  /** An authorization server whose registration endpoint answers `registered`. */
  async function fakeServer(registered: Record<string, unknown>, status = 201) {
    let registrations = 0
    const server = createServer((req, res) => {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      res.setHeader('content-type', 'application/json')
      if (req.url === '/.well-known/openid-configuration') {
        return res.end(JSON.stringify({ issuer: origin, authorization_endpoint: `${origin}/auth`, token_endpoint: `${origin}/token`, registration_endpoint: `${origin}/reg` }))
      }
      if (req.url === '/reg') registrations++
      res.statusCode = req.url === '/reg' ? status : 404
      res.end(JSON.stringify(registered))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return { server, issuer: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, registrations: () => registrations }
  }

  it('takes the public client the server registered, and refuses one registered with a secret instead', async () => {
    const http = new HttpClient({ requestTimeoutMs: 2_000 })
    for (const [registered, outcome] of [
      [{ client_id: 'public-1', token_endpoint_auth_method: 'none' }, 'public-1'],
      [{ client_id: 'conf-1', client_secret: 's3cret-value', client_secret_expires_at: 0, token_endpoint_auth_method: 'client_secret_basic' }, /registered a client with client_secret_basic/],
    ] as const) {
      const { server, issuer } = await fakeServer(registered)
      try {
        const result = registerPublicClient(issuer, 'http://127.0.0.1/callback', http)
        if (typeof outcome === 'string') await expect(result).resolves.toBe(outcome)
        else await expect(result).rejects.toMatchObject({ exitCode: 5, message: expect.stringMatching(outcome) })
      } finally {
        server.closeAllConnections()
        await new Promise((resolve) => server.close(resolve))
      }
    }
    await http.close()
  })

  it('sends a registration once: a 503 is not retried (a repeated POST could register a second client)', async () => {
    const http = new HttpClient({ requestTimeoutMs: 2_000, retryBaseMs: 1 })
    const { server, issuer, registrations } = await fakeServer({ error: 'temporarily_unavailable' }, 503)
    try {
      await expect(registerPublicClient(issuer, 'http://127.0.0.1/callback', http)).rejects.toMatchObject({ exitCode: 5 })
      expect(registrations()).toBe(1)
    } finally {
      await http.close()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
