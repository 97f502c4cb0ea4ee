import * as oauth from 'oauth4webapi'
import { badResponse, usageError } from '../errors.js'
import type { HttpClient } from '../http/client.js'
import { errorFromResponse, readJson } from '../http/response.js'
import { discover } from './discovery.js'
import { fromOAuthLibrary } from './library-errors.js'
import { checkTransport } from '../http/transport.js'

/** What a protected resource says about itself (RFC 9728), as far as a login needs it. */
export interface ProtectedResource {
  resource: string
  authorizationServers: string[]
  scopes: string[]
  /** Where the metadata came from: the well-known URL or a 401's resource_metadata. */
  metadataUrl: string
}

/**
 * Fetch a protected resource's metadata (RFC 9728): `/.well-known/oauth-protected-resource` first;
 * when that is missing, an unauthenticated request to the resource, whose 401 names the metadata in
 * `WWW-Authenticate: Bearer resource_metadata="…"` (§5.1). The metadata's `resource` must equal the
 * one asked for (§3.3, checked by oauth4webapi), and every URL in it must be https or loopback http.
 */
export async function discoverProtectedResource(resource: string, http: HttpClient): Promise<ProtectedResource> {
  if (!URL.canParse(resource)) throw usageError(`--resource ${JSON.stringify(resource)} is not an absolute URL`, { code: 'bad_url' })
  const resourceUrl = new URL(resource)
  if (resourceUrl.hash || resource.includes('#')) throw usageError('a resource indicator may not have a fragment (RFC 8707 §2)', { code: 'bad_url' })
  const allowHttp = checkTransport(resourceUrl, http.insecure, 'the resource')
  const options = { [oauth.customFetch]: http.fetch as typeof fetch, [oauth.allowInsecureRequests]: allowHttp }
  const wellKnown = await oauth.resourceDiscoveryRequest(resourceUrl, options).catch((err: unknown) => {
    throw fromOAuthLibrary(err, 'protected resource discovery')
  })
  let response = wellKnown
  let metadataUrl = wellKnown.url
  if (wellKnown.status === 404) {
    metadataUrl = await metadataFromChallenge(resourceUrl.href, http, wellKnown.url)
    response = await http.fetch(metadataUrl, { headers: { accept: 'application/json' } })
  }
  const what = `the protected resource metadata (${metadataUrl})`
  const raw = http.rawResponse(response)
  if (raw && raw.status !== 200) throw errorFromResponse(raw, what)
  if (raw) readJson(raw, what)
  let metadata: oauth.ResourceServer
  try {
    metadata = await oauth.processResourceDiscoveryResponse(resourceUrl, response)
  } catch (err) {
    throw fromOAuthLibrary(err, what)
  }
  const servers = metadata.authorization_servers
  if (!Array.isArray(servers) || servers.length === 0 || !servers.every((s) => typeof s === 'string' && URL.canParse(s))) {
    throw badResponse(`${what} names no authorization server (authorization_servers)`, { code: 'no_authorization_server' })
  }
  for (const server of servers) checkTransport(server, http.insecure, `the authorization server ${server} named by ${what}`)
  const scopes = Array.isArray(metadata.scopes_supported) ? metadata.scopes_supported.filter((s): s is string => typeof s === 'string' && /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s)) : []
  return { resource: metadata.resource, authorizationServers: servers, scopes, metadataUrl }
}

/** The `resource_metadata` URL of the resource's 401 challenge (RFC 9728 §5.1). */
async function metadataFromChallenge(resource: string, http: HttpClient, wellKnown: string): Promise<string> {
  const missing = (why: string) =>
    badResponse(`no protected resource metadata for ${resource}: ${wellKnown} is 404 and ${why}`, { code: 'resource_metadata_not_found' })
  const response = await http.fetch(resource)
  if (response.status !== 401) throw missing(`the resource answered ${response.status}, not 401 with a resource_metadata challenge`)
  const url = resourceMetadataParameter(response.headers.get('www-authenticate') ?? '')
  if (!url || !URL.canParse(url)) throw missing('its 401 names no resource_metadata URL')
  checkTransport(url, http.insecure, 'the resource_metadata URL of the resource\'s 401')
  return url
}

/** The `resource_metadata` auth-param of a WWW-Authenticate header (a quoted string or a token, RFC 9110 §11.2). */
export function resourceMetadataParameter(header: string): string | undefined {
  const match = /(?:^|[\s,])resource_metadata\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]+))/i.exec(header)
  if (!match) return undefined
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2]
}

/**
 * The authorization server to log in at: `--issuer` when given (it must be one the resource
 * names: a resource that trusts another server would refuse its tokens), else the first named.
 */
export function chooseAuthorizationServer(found: ProtectedResource, issuer: string | undefined): string {
  if (issuer === undefined) return found.authorizationServers[0] as string
  const wanted = new URL(issuer).href
  const match = found.authorizationServers.find((server) => new URL(server).href === wanted)
  if (!match) throw usageError(`--issuer ${issuer} is not one of the resource's authorization servers (${found.authorizationServers.join(', ')})`, { code: 'issuer_not_listed' })
  return match
}

/** The client oauthctl registers for itself (RFC 7591): public, PKCE, loopback redirect (RFC 8252). */
export async function registerPublicClient(issuer: string, redirectUri: string, http: HttpClient): Promise<string> {
  const { metadata } = await discover(issuer, http)
  const as = metadata as unknown as oauth.AuthorizationServer
  if (typeof as.registration_endpoint !== 'string') {
    throw usageError(`${issuer} offers no dynamic client registration, and the profile has no client id`, {
      code: 'no_registration',
      hint: 'register a public client there and give it with --client-id',
    })
  }
  const what = 'the registration endpoint'
  try {
    const response = await oauth.dynamicClientRegistrationRequest(
      as,
      {
        client_name: 'oauthctl',
        application_type: 'native',
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      },
      // Never repeated: a registration the server made but whose answer was lost would leave a second client.
      { [oauth.customFetch]: http.fetcher({ retry: 'never', what }) as typeof fetch, [oauth.allowInsecureRequests]: checkTransport(as.registration_endpoint, http.insecure, what) },
    )
    const raw = http.rawResponse(response)
    if (raw && raw.status !== 201) throw errorFromResponse(raw, what)
    const client = await oauth.processDynamicClientRegistrationResponse(response)
    // A server may register something else than asked; a client with a secret oauthctl did not keep would fail every token request.
    const method = client.token_endpoint_auth_method ?? 'none'
    if (method !== 'none') throw badResponse(`${what} registered a client with ${String(method)}, not the public client (none) asked for`, { code: 'registration_mismatch' })
    return client.client_id
  } catch (err) {
    throw fromOAuthLibrary(err, what)
  }
}
