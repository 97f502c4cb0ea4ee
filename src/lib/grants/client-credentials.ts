import * as oauth from 'oauth4webapi'
import type { Grant } from './types.js'

export const clientCredentialsGrant: Grant = {
  name: 'client_credentials',
  auto: true,
  stored: true,
  usableFor: ({ session }) => session.hasClientCredentials,
  request: ({ session, parameters }) =>
    session.tokenRequest(
      'token endpoint (client_credentials)',
      async (options) => oauth.clientCredentialsGrantRequest(session.as, session.client, await session.clientAuth(), parameters, options),
      (response) => oauth.processClientCredentialsResponse(session.as, session.client, response),
    ),
}
