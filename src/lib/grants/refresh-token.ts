import * as oauth from 'oauth4webapi'
import { authRequired } from '../errors.js'
import type { Grant } from './types.js'

export const refreshTokenGrant: Grant = {
  name: 'refresh_token',
  auto: true,
  stored: true,
  usableFor: ({ current }) => Boolean(current?.refresh_token),
  request: ({ session, parameters, current }) => {
    const refreshToken = current?.refresh_token
    if (!refreshToken) throw authRequired('no refresh token is stored for this profile')
    return session.tokenRequest(
      'token endpoint (refresh_token)',
      async (options) =>
        oauth.refreshTokenGrantRequest(session.as, session.client, await session.clientAuth(), refreshToken, {
          ...options,
          additionalParameters: parameters,
        }),
      (response) => oauth.processRefreshTokenResponse(session.as, session.client, response),
    )
  },
}
