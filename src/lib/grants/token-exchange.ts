import { usageError } from '../errors.js'
import type { Grant } from './types.js'

const TOKEN_TYPE_PREFIX = 'urn:ietf:params:oauth:token-type:'
/** `access_token` is short for `urn:ietf:params:oauth:token-type:access_token`. */
export const expandTokenType = (type: string) => (type.includes(':') ? type : `${TOKEN_TYPE_PREFIX}${type}`)

/** RFC 8693 token exchange. The exchanged token is printed, not stored as the profile's own. */
export const tokenExchangeGrant: Grant = {
  name: 'token_exchange',
  auto: false,
  stored: false,
  usableFor: ({ inputs }) => Boolean(inputs.subjectToken),
  request: ({ session, parameters, inputs }) => {
    if (!inputs.subjectToken) throw usageError('token exchange needs --subject-token (- for stdin, @FILE, or env:NAME)', { code: 'missing_subject_token' })
    const params = new URLSearchParams(parameters)
    params.set('subject_token', inputs.subjectToken)
    params.set('subject_token_type', expandTokenType(inputs.subjectTokenType ?? 'access_token'))
    if (inputs.actorToken) {
      params.set('actor_token', inputs.actorToken)
      params.set('actor_token_type', expandTokenType(inputs.actorTokenType ?? 'access_token'))
    }
    if (inputs.requestedTokenType) params.set('requested_token_type', expandTokenType(inputs.requestedTokenType))
    return session.grant('urn:ietf:params:oauth:grant-type:token-exchange', params)
  },
}
