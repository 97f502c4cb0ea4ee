import type { Profile } from '../config/schema.js'
import { authRequired, OAuthError } from '../errors.js'
import { findGrant, GRANTS, type GrantRequest } from '../grants/index.js'
import type { HttpClient } from '../http/client.js'
import { withDiscovery } from '../oauth/discovery.js'
import { OAuthSession } from '../oauth/session.js'
import { registerSecret } from '../redact.js'
import { lookupClientSecret } from '../secrets.js'
import { secretKeys } from '../storage/keys.js'
import type { SecretStore } from '../storage/types.js'
import { isFresh, tokenCacheKey } from './cache.js'
import { parseStoredToken, type StoredToken, toStoredToken } from './token-set.js'

export interface GetTokenOptions {
  /** `auto` or a registered grant name. */
  grant: string
  scopes: string[]
  audience?: string
  resource?: string
  minTtl: number
  force: boolean
  params: Record<string, string>
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

export const requestedShape = (profile: Profile, options: Pick<GetTokenOptions, 'scopes' | 'audience' | 'resource'>) => ({
  scopes: options.scopes.length > 0 ? options.scopes : profile.scopes,
  audience: options.audience ?? profile.audience,
  resource: options.resource ?? profile.resource,
})

/** The stored token for a profile's default request shape, fresh or not; no network. */
export async function readStoredToken(ctx: Pick<TokenContext, 'profileName' | 'profile' | 'store'>, shape = requestedShape(ctx.profile, { scopes: [] })): Promise<StoredToken | undefined> {
  return parseStoredToken(await ctx.store.get(secretKeys.token(ctx.profileName, tokenCacheKey(shape))))
}

/**
 * `token get` as one use case: a fresh cached token costs no request; otherwise, under a
 * cross-process lock (so that parallel callers cause one request), look again, then refresh or
 * run the grant, store the result, return it.
 */
export async function getToken(options: GetTokenOptions, ctx: TokenContext): Promise<GetTokenResult> {
  const requested = requestedShape(ctx.profile, options)
  const cacheKey = tokenCacheKey(requested)
  const storageKey = secretKeys.token(ctx.profileName, cacheKey)
  const readCached = async () => parseStoredToken(await ctx.store.get(storageKey))
  const useCache = options.grant === 'auto' && !options.force

  if (useCache) {
    const cached = await readCached()
    if (cached && isFresh(cached, options.minTtl, ctx.now())) return fromCache(cached)
  }

  const obtain = async (): Promise<GetTokenResult> => {
    const current = await readCached()
    // Another process may have refreshed while we waited for the lock.
    if (useCache && current && isFresh(current, options.minTtl, ctx.now())) return fromCache(current)
    const profile = await withDiscovery(ctx.profile, ctx.http)
    const session = new OAuthSession(profile, ctx.http, await lookupClientSecret(ctx.profileName, ctx.store, ctx.env))
    const request: GrantRequest = { session, parameters: grantParameters(profile, requested, options.params), current }
    const { grant, response } = await runGrant(options.grant, request, () => ctx.store.delete(storageKey))
    const token = toStoredToken(response, grant.name, requested, ctx.now(), current?.refresh_token)
    registerSecret(token.access_token)
    registerSecret(token.refresh_token)
    registerSecret(token.id_token)
    await ctx.store.set(storageKey, JSON.stringify(token))
    return { token, source: grant.name }
  }

  if (ctx.store.kind === 'none') return obtain()
  const { withLock } = await import('../lock.js')
  return withLock(ctx.configDir, `token-${ctx.profileName}-${cacheKey}`, obtain)
}

function fromCache(token: StoredToken): GetTokenResult {
  registerSecret(token.access_token)
  registerSecret(token.refresh_token)
  return { token, source: 'cache' }
}

async function runGrant(name: string, request: GrantRequest, dropStored: () => Promise<unknown>) {
  if (name !== 'auto') {
    const grant = findGrant(name)
    if (!grant) throw authRequired(`grant ${name} is not available`)
    if (!grant.usableFor(request)) throw authRequired(`the ${name} grant needs credentials this profile does not have`)
    return { grant, response: await grant.request(request) }
  }
  let refreshRejected: OAuthError | undefined
  for (const grant of GRANTS) {
    if (!grant.usableFor(request)) continue
    try {
      return { grant, response: await grant.request(request) }
    } catch (err) {
      // A dead refresh token is removed, and the next grant (if any) gets its turn.
      if (grant.name !== 'refresh_token' || !(err instanceof OAuthError) || err.error !== 'invalid_grant') throw err
      refreshRejected = err
      await dropStored()
      request.current = undefined
    }
  }
  if (refreshRejected) throw authRequired(`the stored refresh token was rejected (${refreshRejected.message}); log in again`)
  throw authRequired('no usable credentials: no cached token, no refresh token and no client secret')
}

/** scope, audience, resource, then the profile's and the command's extra parameters. */
export function grantParameters(profile: Profile, requested: ReturnType<typeof requestedShape>, extra: Record<string, string>): URLSearchParams {
  const params = new URLSearchParams()
  if (requested.scopes.length > 0) params.set('scope', requested.scopes.join(' '))
  if (requested.audience) params.set('audience', requested.audience)
  if (requested.resource) params.set('resource', requested.resource)
  for (const [k, v] of Object.entries({ ...profile.params, ...extra })) params.set(k, v)
  return params
}

