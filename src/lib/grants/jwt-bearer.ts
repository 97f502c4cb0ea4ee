import { randomUUID } from 'node:crypto'
import { usageError } from '../errors.js'
import { loadClientKey } from '../oauth/client-key.js'
import type { Grant } from './types.js'

const ASSERTION_LIFETIME_SECONDS = 300

/**
 * RFC 7523 §2.1: a JWT as the authorization grant. Either the one given (--assertion-file), or
 * one signed here with the profile's private key: iss = sub = client id, aud = token endpoint.
 */
export const jwtBearerGrant: Grant = {
  name: 'jwt_bearer',
  auto: false,
  stored: true,
  usableFor: ({ inputs, session }) => Boolean(inputs.assertion || session.profile.privateKeyPath),
  request: async ({ session, parameters, inputs }) => {
    let assertion = inputs.assertion
    if (!assertion) {
      const keyPath = session.profile.privateKeyPath
      if (!keyPath) throw usageError('jwt_bearer needs --assertion-file or a profile with --private-key', { code: 'missing_assertion' })
      const { SignJWT } = await import('jose')
      const key = await loadClientKey(keyPath)
      const clientId = session.client.client_id
      assertion = await new SignJWT({})
        .setProtectedHeader({ alg: key.alg, typ: 'JWT', ...(key.kid ? { kid: key.kid } : {}) })
        .setIssuer(clientId)
        .setSubject(clientId)
        .setAudience(session.as.token_endpoint ?? session.as.issuer)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime(`${ASSERTION_LIFETIME_SECONDS}s`)
        .sign(key.key)
    }
    const params = new URLSearchParams(parameters)
    params.set('assertion', assertion)
    return session.grant('urn:ietf:params:oauth:grant-type:jwt-bearer', params)
  },
}
