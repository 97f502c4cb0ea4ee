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
    const params = new URLSearchParams(parameters)
    params.set('refresh_token', refreshToken)
    return session.grant('refresh_token', params)
  },
}
