import { createHash } from 'node:crypto'
import { join } from 'node:path'
import type { Profile } from '../config/schema.js'
import { authRequired, OAuthError, usageError } from '../errors.js'
import { findGrant, GRANTS, type GrantInputs, type GrantRequest } from '../grants/index.js'
import type { HttpClient } from '../http/client.js'
import type { AuthorizationDetails } from '../oauth/authorization-details.js'
import { withDiscovery } from '../oauth/discovery.js'
import { dpopKeyPair } from '../oauth/dpop.js'
import { clientCertificateOf, type SenderOptions, withSender } from '../oauth/sender.js'
import { OAuthSession } from '../oauth/session.js'
import { registerSecret } from '../redact.js'
import { lookupClientSecret } from '../secrets.js'
import type { SecretStore } from '../storage/types.js'
import { isFresh, normalizeScopes, tokenCacheKey } from './cache.js'
import { mayDownScope, resolveCachedToken, sessionKey, shapeKey, tokenBinding } from './cached-token.js'
import { idTokenExpiry } from './id-token-claims.js'
import { parseStoredToken, type StoredToken, StoredTokenSchema, toStoredToken } from './token-set.js'

export interface GetTokenOptions {
  /** `auto` or a registered grant name. */
  grant: string
  scopes: string[]
  audience?: string
  resource?: string
  minTtl: number
  force: boolean
  params: Record<string, string>
  /** What the password, token exchange and JWT bearer grants need. */
  inputs?: GrantInputs
  /** DPoP or a client certificate for this request, on top of the profile's. */
  sender?: SenderOptions
  /** RFC 9396 rich authorization request; such a token is always asked for afresh. */
  authorizationDetails?: AuthorizationDetails
  /** For `token get --id-token`: a cached token serves only while its ID token is fresh too, and only a refresh renews one. */
  idToken?: boolean
}

export interface TokenContext {
  profileName: string
  profile: Profile
  store: SecretStore
  http: HttpClient
  env: NodeJS.ProcessEnv
  configDir: string
  now: () => number
}

export interface GetTokenResult {
  token: StoredToken
  /** `cache`, or the grant that produced the token. */
  source: string
}

/** What a request asks for: the command's scopes (a set), audience and resource, else the profile's. */
export const requestedShape = (profile: Profile, options: Pick<GetTokenOptions, 'scopes' | 'audience' | 'resource'>) => ({
  scopes: normalizeScopes(options.scopes.length > 0 ? options.scopes : profile.scopes),
  audience: options.audience ?? profile.audience,
  resource: options.resource ?? profile.resource,
})

/** The shape the command named; undefined when it named none (then the session, else the profile's own shape, answers). */
const explicitShape = (profile: Profile, options: Pick<GetTokenOptions, 'scopes' | 'audience' | 'resource'>) =>
  options.scopes.length > 0 || options.audience !== undefined || options.resource !== undefined ? requestedShape(profile, options) : undefined

/** The lock that serialises token requests for one profile and request shape (a short, file-safe name). */
export const tokenLockName = (profileName: string, cacheKey: string) =>
  `token-${profileName}-${createHash('sha256').update(cacheKey).digest('hex').slice(0, 16)}`

/**
 * An oauth4webapi session for the context's profile: discovered endpoints, client secret, our HTTP
 * layer (presenting the profile's client certificate, if any) and its DPoP key when it uses DPoP.
 */
export async function openSession(ctx: TokenContext): Promise<OAuthSession> {
  const profile = await withDiscovery(ctx.profile, ctx.http)
  const certificate = clientCertificateOf(profile)
  const http = certificate ? ctx.http.withClientCertificate(certificate) : ctx.http
  const secret = await lookupClientSecret(ctx.profileName, ctx.store, ctx.env)
  return new OAuthSession(profile, http, secret, {
    dpopKey: profile.dpop ? () => dpopKeyPair(ctx) : undefined,
    secrets: { profileName: ctx.profileName, store: ctx.store, env: ctx.env },
  })
}

/** The profile's session (what a command with no scopes uses), fresh or not; no network. */
export async function readStoredToken(ctx: Pick<TokenContext, 'profileName' | 'profile' | 'store'>): Promise<StoredToken | undefined> {
  return parseStoredToken(await ctx.store.get(sessionKey(ctx.profileName, ctx.profile)), tokenBinding(ctx.profile))
}

/**
 * `token get` as one use case: a cached token that resolveCachedToken accepts costs no request;
 * otherwise, under a cross-process lock (so that parallel callers cause one request), look again,
 * then refresh or run the grant, store the result, return it. With no scopes named, that is the
 * profile's session (a login's tokens included). Narrower scopes the session covers are asked
 * for with its refresh token (a down-scope, RFC 6749 §6) and stored apart, the refresh token
 * staying the session's.
 */
export async function getToken(options: GetTokenOptions, tokenContext: TokenContext): Promise<GetTokenResult> {
  const ctx = { ...tokenContext, profile: withSender(tokenContext.profile, options.sender) }
  const binding = tokenBinding(ctx.profile)
  const explicit = explicitShape(ctx.profile, options)
  const readEntry = async (key: string) => parseStoredToken(await ctx.store.get(key), binding)
  // For --id-token, a cached token serves only while its ID token stays fresh too.
  const idTokenFresh = (token: StoredToken) => token.id_token !== undefined && isFresh({ expires_at: idTokenExpiry(token.id_token) }, options.minTtl, ctx.now())
  const readCached = async () => {
    const cached = StoredTokenSchema.safeParse(
      await resolveCachedToken({ profileName: ctx.profileName, profile: ctx.profile, explicit, minTtl: options.minTtl, now: ctx.now(), read: (key) => ctx.store.get(key) }),
    ).data
    return cached && (!options.idToken || idTokenFresh(cached)) ? cached : undefined
  }
  // The cache is keyed by scopes, audience and resource: it cannot tell one set of authorization details from another.
  const useCache = options.grant === 'auto' && !options.force && !options.authorizationDetails
  if (useCache) {
    const cached = await readCached()
    if (cached) return fromCache(cached, ctx)
  }

  const session = sessionKey(ctx.profileName, ctx.profile)
  const sessionShape = requestedShape(ctx.profile, { scopes: [] })
  const targetKey = explicit ? shapeKey(ctx.profileName, explicit) : session
  const sessionToken = explicit && targetKey !== session ? await readEntry(session) : undefined
  const downScope =
    (options.grant === 'auto' || options.grant === 'refresh_token') && !options.authorizationDetails && explicit !== undefined && sessionToken?.refresh_token !== undefined && mayDownScope(sessionToken, explicit)
  // Where the refresh token comes from; the lock is that token's.
  const sourceKey = downScope ? session : targetKey

  const obtain = async (): Promise<GetTokenResult> => {
    // Another process may have refreshed while we waited for the lock.
    if (useCache) {
      const cached = await readCached()
      if (cached) return fromCache(cached, ctx)
    }
    const current = await readEntry(sourceKey)
    // A server that echoes what it was sent (an error_description) must not put these on the screen.
    for (const value of [current?.access_token, current?.refresh_token, current?.id_token]) registerSecret(value)
    // A session keeps what its login asked for (refreshing sends no scope, RFC 6749 §6).
    const requested = explicit ?? (current?.refresh_token ? current.requested : sessionShape)
    const oauthSession = await openSession(ctx)
    const inputs = options.inputs ?? {}
    for (const value of Object.values(inputs)) registerSecret(value)
    const parameters = grantParameters(oauthSession.profile, requested, options.params, options.authorizationDetails)
    const request: GrantRequest = { session: oauthSession, parameters, current, inputs, downScope }
    // A down-scope uses the session's refresh token or nothing: no other grant acts for that user.
    // Client credentials never return an ID token: for one, `auto` means a refresh too.
    const grantName = downScope || (options.idToken && options.grant === 'auto') ? 'refresh_token' : options.grant
    const { grant, response } = await runGrant(grantName, request, () => ctx.store.delete(sourceKey))
    if (response.id_token) await verifyIdToken(response.id_token, oauthSession, ctx, response.access_token)
    const token = toStoredToken(response, grant.name, requested, ctx.now(), binding, grant.stored ? current?.refresh_token : undefined)
    registerSecret(token.access_token)
    registerSecret(token.refresh_token)
    registerSecret(token.id_token)
    if (!grant.stored) return { token, source: grant.name }
    if (!downScope) {
      // A rotated refresh token is persisted before the new access token is handed out.
      await ctx.store.set(targetKey, JSON.stringify(token))
      return { token, source: grant.name }
    }
    const { refresh_token: refreshToken, ...narrowed } = token
    if (current && refreshToken !== current.refresh_token) await ctx.store.set(sourceKey, JSON.stringify({ ...current, refresh_token: refreshToken }))
    await ctx.store.set(targetKey, JSON.stringify(narrowed))
    return { token: narrowed, source: grant.name }
  }

  if (ctx.store.kind === 'none') return obtain()
  const { withLock } = await import('../lock.js')
  return withLock(ctx.configDir, tokenLockName(ctx.profileName, tokenCacheKey(downScope || !explicit ? sessionShape : explicit)), obtain)
}

function fromCache(token: StoredToken, ctx: TokenContext): GetTokenResult {
  registerSecret(token.access_token)
  registerSecret(token.refresh_token)
  ctx.http.trace?.step(`Token from the cache of profile ${ctx.profileName}: still valid for ${token.expires_at - ctx.now()} s, so no request is sent`)
  return { token, source: 'cache' }
}

async function runGrant(name: string, request: GrantRequest, dropStored: () => Promise<unknown>) {
  let candidates
  if (name === 'auto') {
    candidates = GRANTS.filter((g) => g.auto && g.usableFor(request))
  } else {
    const grant = findGrant(name)
    if (!grant) throw usageError(`unknown grant ${name}`, { code: 'unknown_grant' })
    candidates = [grant]
  }
  let refreshRejected: OAuthError | undefined
  for (const grant of candidates) {
    try {
      return { grant, response: await grant.request(request) }
    } catch (err) {
      // A dead refresh token is removed; the next candidate (client credentials) may still work.
      if (grant.name !== 'refresh_token' || !(err instanceof OAuthError) || err.error !== 'invalid_grant') throw err
      refreshRejected = err
      await dropStored()
      request.current = undefined
    }
  }
  if (refreshRejected) throw authRequired(`the stored refresh token was rejected (${refreshRejected.message}); log in again`, { code: 'refresh_rejected' })
  throw authRequired('no usable credentials: no cached token, no refresh token and no client secret')
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
  const { checkAtHash, verifyJwt } = await import('./verify.js')
  const verified = await verifyJwt(idToken, { issuer: session.as.issuer, jwksUri, audience: session.client.client_id, http: ctx.http, cacheDir: join(ctx.configDir, 'cache'), now: ctx.now })
  trace?.check(`ID token signature: ${verified.alg}${verified.kid ? ` with key ${verified.kid}` : ''} from the issuer's JWKS; ${verified.checked.filter((c) => c !== 'signature').join(', ')} as expected`)
  if (!accessToken) return
  if (checkAtHash(verified.claims, verified.alg, accessToken)) trace?.check('at_hash: the ID token was issued with this access token')
  else trace?.note('no at_hash in the ID token (optional outside the implicit flow): nothing to tie it to the access token')
}

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

