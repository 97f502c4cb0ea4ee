import * as oauth from 'oauth4webapi'
import type { OAuthSession } from '../oauth/session.js'
import type { TokenResponse } from '../tokens/token-set.js'

/** A grant that oauth4webapi has no dedicated function for: its generic token endpoint request. */
export function genericGrantRequest(session: OAuthSession, grantType: string, parameters: URLSearchParams, what: string): Promise<TokenResponse> {
  return session.tokenRequest(
    what,
    async (options) => oauth.genericTokenEndpointRequest(session.as, session.client, await session.clientAuth(), grantType, parameters, options),
    (response) => oauth.processGenericTokenEndpointResponse(session.as, session.client, response),
  )
}
