import type { Profile } from '../config/schema.js'
import { authRequired, OAuthError, usageError } from '../errors.js'
import { findGrant, GRANTS, type GrantInputs, type GrantRequest } from '../grants/index.js'
import type { AuthorizationDetails } from '../oauth/authorization-details.js'
import { type SenderOptions, withSender } from '../oauth/sender.js'
import { registerSecret } from '../redact.js'
import { openSession, verifyIdToken } from './session.js'
import { type TokenContext, tokenLockName } from '../tokens/context.js'
import { isFresh, tokenCacheKey } from '../tokens/cache.js'
import { grantParameters, requestedShape } from '../tokens/request.js'
import { mayDownScope, resolveCachedToken, sessionKey, shapeKey, tokenBinding } from '../tokens/cached-token.js'
import { idTokenExpiry } from '../tokens/id-token-claims.js'
import { parseStoredToken, type StoredToken, StoredTokenSchema, toStoredToken } from '../tokens/token-set.js'

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

export interface GetTokenResult {
  token: StoredToken
  /** `cache`, or the grant that produced the token. */
  source: string
}

/** The shape the command named; undefined when it named none (then the session, else the profile's own shape, answers). */
const explicitShape = (profile: Profile, options: Pick<GetTokenOptions, 'scopes' | 'audience' | 'resource'>) =>
  options.scopes.length > 0 || options.audience !== undefined || options.resource !== undefined ? requestedShape(profile, options) : undefined

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
