import { authRequired } from '../errors.js'
import type { Grant } from './types.js'

export const refreshTokenGrant: Grant = {
  name: 'refresh_token',
  auto: true,
  stored: true,
  usableFor: ({ current }) => Boolean(current?.refresh_token),
  request: ({ session, parameters, current, downScope }) => {
    const refreshToken = current?.refresh_token
    if (!refreshToken) throw authRequired('no refresh token is stored for this profile')
    const params = new URLSearchParams(parameters)
    // RFC 6749 §6: without `scope` the refresh keeps what was granted; sending the profile's scopes
    // again fails where the server narrowed them (oidc-provider drops offline_access for public
    // clients). Servers with their own token request (phone.com, APIMatic) document scope on refresh.
    // A down-scope (narrower scopes served from the login's session) is what `scope` is for.
    if (!session.ownTokenRequests && !downScope) params.delete('scope')
    params.set('refresh_token', refreshToken)
    return session.grant('refresh_token', params)
  },
}
