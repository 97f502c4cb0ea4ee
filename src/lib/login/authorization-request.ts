import * as oauth from 'oauth4webapi'
import { usageError } from '../errors.js'
import { loadClientKey } from '../oauth/client-key.js'
import type { OAuthSession } from '../oauth/session.js'
import type { AuthorizationRequestOptions } from './types.js'

/**
 * The URL that sends the browser to the authorization endpoint, from the plain one (`url`, every
 * parameter in its query): unchanged, or with the parameters signed into a request object (JAR,
 * RFC 9101: `client_id` and `request` are left), or pushed to the server first (PAR, RFC 9126:
 * `client_id` and `request_uri` are left), or both. PAR is used when asked for or when the
 * server's metadata requires it.
 */
export async function authorizationRequestUrl(session: OAuthSession, url: URL, options: AuthorizationRequestOptions, signal: AbortSignal): Promise<URL> {
  const push = options.par || session.as.require_pushed_authorization_requests === true
  if (!push && !options.requestObject) return url
  const endpoint = new URL(url)
  endpoint.search = ''
  const clientId = session.client.client_id
  const parameters = options.requestObject ? new URLSearchParams({ client_id: clientId, request: await requestObject(session, url.searchParams) }) : url.searchParams
  if (!push) return withQuery(endpoint, parameters)
  const pushed = await session.call(
    'pushed authorization request endpoint',
    session.as.pushed_authorization_request_endpoint,
    async (requestOptions) => oauth.pushedAuthorizationRequest(session.as, session.client, await session.clientAuth(), parameters, { ...requestOptions, signal }),
    (response) => oauth.processPushedAuthorizationResponse(session.as, session.client, response),
  )
  return withQuery(endpoint, new URLSearchParams({ client_id: clientId, request_uri: pushed.request_uri }))
}

/** The authorization request's parameters as a JWT signed with the client's key (oauth4webapi sets iss, aud, exp, jti). */
async function requestObject(session: OAuthSession, parameters: URLSearchParams): Promise<string> {
  const keyPath = session.profile.privateKeyPath
  if (!keyPath) {
    throw usageError('--request-object signs the request with the client key, and the profile has none', {
      code: 'missing_private_key',
      hint: 'oauthctl profiles add NAME --private-key FILE (the key whose public half the server has for this client)',
    })
  }
  const { key, kid } = await loadClientKey(keyPath)
  return oauth.issueRequestObject(session.as, session.client, parameters, { key, kid })
}

function withQuery(endpoint: URL, parameters: URLSearchParams): URL {
  const url = new URL(endpoint)
  url.search = parameters.toString()
  return url
}
