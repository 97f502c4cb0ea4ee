import * as oauth from 'oauth4webapi'
import type { Discovery } from '../config/schema.js'
import { CliError } from '../errors.js'
import type { HttpClient } from '../http/client.js'
import { errorFromResponse, readJson } from '../http/response.js'
import { fromOAuthLibrary } from './library-errors.js'
import { checkTransport } from '../http/transport.js'

const ENDPOINT_FIELDS = [
  'authorization_endpoint',
  'token_endpoint',
  'revocation_endpoint',
  'introspection_endpoint',
  'device_authorization_endpoint',
  'registration_endpoint',
  'userinfo_endpoint',
  'jwks_uri',
  'pushed_authorization_request_endpoint',
] as const

/**
 * Fetch the issuer's metadata: OpenID Connect discovery first, then RFC 8414. The document's
 * `issuer` must equal the one asked for (mix-up defence, checked by oauth4webapi), and every
 * endpoint it names must pass the transport rule.
 */
export async function discover(issuer: string, http: HttpClient): Promise<Discovery> {
  const issuerUrl = new URL(issuer)
  const allowHttp = checkTransport(issuerUrl, http.insecure, 'the issuer')
  const attempts = [
    { algorithm: 'oidc', source: 'openid-configuration', purpose: 'Discovery: the OpenID Connect metadata' },
    { algorithm: 'oauth2', source: 'oauth-authorization-server', purpose: 'Discovery: the authorization server metadata (RFC 8414)' },
  ] as const
  let lastMissing: CliError | undefined
  for (const { algorithm, source, purpose } of attempts) {
    const what = `discovery (${source})`
    let metadata: oauth.AuthorizationServer
    try {
      const response = await oauth.discoveryRequest(issuerUrl, {
        algorithm,
        [oauth.customFetch]: http.fetchFor(purpose) as typeof fetch,
        [oauth.allowInsecureRequests]: allowHttp,
      })
      const raw = http.rawResponse(response)
      if (raw && raw.status === 404) {
        lastMissing = errorFromResponse(raw, what)
        continue
      }
      if (raw && (raw.status < 200 || raw.status >= 300)) throw errorFromResponse(raw, what)
      if (raw) readJson(raw, what) // HTML or malformed JSON: our clear message, not the library's
      metadata = await oauth.processDiscoveryResponse(issuerUrl, response)
    } catch (err) {
      throw fromOAuthLibrary(err, what)
    }
    for (const field of ENDPOINT_FIELDS) {
      const url = metadata[field]
      if (typeof url === 'string') checkTransport(url, http.insecure, `the discovered ${field}`)
    }
    http.trace?.check(`issuer: the document's is the one asked for (mix-up defence); every endpoint is https${http.insecure ? ' (or any http: --insecure)' : ' or loopback'}`)
    return { fetchedAt: new Date().toISOString(), source, metadata: { ...metadata } }
  }
  throw new CliError('usage', `no discovery document at ${issuer} (tried OpenID Connect and RFC 8414)`, {
    code: 'discovery_not_found',
    hint: 'check the issuer URL, or give the endpoints with --token-endpoint and friends',
    cause: lastMissing,
  })
}

/** A profile whose issuer has not been discovered yet (an environment-only profile) gets discovered now, in memory. */
export async function withDiscovery<P extends { issuer?: string; discovery?: Discovery }>(profile: P, http: HttpClient): Promise<P> {
  if (!profile.issuer || profile.discovery) return profile
  return { ...profile, discovery: await discover(profile.issuer, http) }
}
