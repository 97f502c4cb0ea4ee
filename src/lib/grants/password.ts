import { usageError } from '../errors.js'
import type { Grant } from './types.js'

/** RFC 6749 §4.3, legacy but still what some vendors offer for scripts. */
export const passwordGrant: Grant = {
  name: 'password',
  auto: false,
  stored: true,
  usableFor: ({ inputs }) => Boolean(inputs.username && inputs.password),
  request: ({ session, parameters, inputs }) => {
    if (!inputs.username || !inputs.password) {
      throw usageError('the password grant needs --username and a password (--password-stdin, OAUTHCTL_PASSWORD or the prompt)', { code: 'missing_password' })
    }
    const params = new URLSearchParams(parameters)
    params.set('username', inputs.username)
    params.set('password', inputs.password)
    return session.grant('password', params)
  },
}
