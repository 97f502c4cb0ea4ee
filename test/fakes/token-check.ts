import { createRemoteJWKSet, jwtVerify } from 'jose'

/**
 * What a resource server does with a bearer token from the sandbox: verify the JWT's signature
 * against the issuer's JWKS, its issuer and audience (an API's resource indicator for an access
 * token, the client id for an ID token, as Kubernetes' OIDC authenticator checks it).
 */
export function tokenChecker(issuer: string, audience: string): (token: string) => Promise<boolean> {
  const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`))
  return async (token) => {
    try {
      await jwtVerify(token, jwks, { issuer, audience })
      return true
    } catch {
      return false
    }
  }
}
