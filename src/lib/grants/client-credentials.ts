import type { Grant } from './types.js'

export const clientCredentialsGrant: Grant = {
  name: 'client_credentials',
  auto: true,
  stored: true,
  usableFor: ({ session }) => session.hasClientCredentials,
  request: ({ session, parameters }) => session.grant('client_credentials', parameters),
}
