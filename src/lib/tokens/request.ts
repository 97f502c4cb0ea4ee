import type { Profile } from '../config/schema.js'
import type { AuthorizationDetails } from '../oauth/authorization-details.js'
import { normalizeScopes } from './cache.js'
import type { StoredToken } from './token-set.js'

/** What a request asks for: the command's scopes (a set), audience and resource, else the profile's. */
export const requestedShape = (profile: Profile, options: RequestShapeOptions) => ({
  scopes: normalizeScopes(options.scopes.length > 0 ? options.scopes : profile.scopes),
  audience: options.audience ?? profile.audience,
  resource: options.resource ?? profile.resource,
})

/** scope, audience, resource, authorization details (RFC 9396), then the profile's and the command's extra parameters. */
export function grantParameters(
  profile: Profile,
  requested: StoredToken['requested'],
  extra: Record<string, string>,
  authorizationDetails?: AuthorizationDetails,
): URLSearchParams {
  const params = new URLSearchParams()
  if (requested.scopes.length > 0) params.set('scope', requested.scopes.join(' '))
  if (requested.audience) params.set('audience', requested.audience)
  if (requested.resource) params.set('resource', requested.resource)
  if (authorizationDetails) params.set('authorization_details', JSON.stringify(authorizationDetails))
  for (const [k, v] of Object.entries({ ...profile.params, ...extra })) params.set(k, v)
  return params
}

/** What a command may name of a token's shape; unnamed parts come from the profile. */
export interface RequestShapeOptions {
  scopes: string[]
  audience?: string
  resource?: string
}
