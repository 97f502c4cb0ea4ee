import { join } from 'node:path'
import { withDiscovery } from '../oauth/discovery.js'
import { dpopKeyPair } from '../oauth/dpop.js'
import { clientCertificateOf } from '../oauth/sender.js'
import type { OAuthSession } from '../oauth/session.js'
import { lookupClientSecret } from '../secrets.js'
import type { TokenContext } from '../tokens/context.js'
import { sessionFor } from '../vendors/registry.js'

/**
 * An oauth4webapi session for the context's profile: discovered endpoints, client secret, our HTTP
 * layer (presenting the profile's client certificate, if any) and its DPoP key when it uses DPoP.
 */
export async function openSession(ctx: TokenContext): Promise<OAuthSession> {
  const profile = await withDiscovery(ctx.profile, ctx.http)
  const certificate = clientCertificateOf(profile)
  const http = certificate ? ctx.http.withClientCertificate(certificate) : ctx.http
  const secret = await lookupClientSecret(ctx.profileName, ctx.store, ctx.env)
  return sessionFor(profile, http, secret, {
    dpopKey: profile.dpop ? () => dpopKeyPair(ctx) : undefined,
    secrets: { profileName: ctx.profileName, store: ctx.store, env: ctx.env },
  })
}

/**
 * oauth4webapi checks an ID token's claims (iss, aud, exp, nonce); its signature is checked here
 * too, against the issuer's JWKS, and its `at_hash` against the access token that came with it,
 * before anything is stored.
 */
export async function verifyIdToken(idToken: string, session: OAuthSession, ctx: TokenContext, accessToken?: string): Promise<void> {
  const jwksUri = session.as.jwks_uri
  const trace = ctx.http.trace
  if (!jwksUri) {
    // No published keys: the TLS-protected token response is all there is (OIDC Core §3.1.3.7).
    trace?.note('the issuer publishes no keys (jwks_uri): the ID token is trusted as the TLS-protected token response delivered it')
    return
  }
  const { checkAtHash, verifyJwt } = await import('../tokens/verify.js')
  const verified = await verifyJwt(idToken, { issuer: session.as.issuer, jwksUri, audience: session.client.client_id, http: ctx.http, cacheDir: join(ctx.configDir, 'cache'), now: ctx.now })
  trace?.check(`ID token signature: ${verified.alg}${verified.kid ? ` with key ${verified.kid}` : ''} from the issuer's JWKS; ${verified.checked.filter((c) => c !== 'signature').join(', ')} as expected`)
  if (!accessToken) return
  if (checkAtHash(verified.claims, verified.alg, accessToken)) trace?.check('at_hash: the ID token was issued with this access token')
  else trace?.note('no at_hash in the ID token (optional outside the implicit flow): nothing to tie it to the access token')
}
