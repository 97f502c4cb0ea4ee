/**
 * The one rule for reusing a stored token, shared by the fast path of `token get` (CommonJS, no
 * zod) and the full command: profile → cache key → read → binding check → validity check →
 * freshness → DPoP rule. No heavy imports: the fast path loads this module on every call.
 */
import { secretKeys } from '../storage/keys.cjs'
import { isFresh, normalizeScopes, tokenCacheKey, type TokenRequestShape } from './cache.cjs'

/**
 * What a token may carry: visible ASCII, no space. RFC 6750's b64token
 * (`A-Z a-z 0-9 - . _ ~ + /` and trailing `=`) plus the visible characters real servers put in
 * opaque tokens (`!` Salesforce, `:` and `|` others). No control character, so no newline, can
 * reach a header line, an env file or a terminal through a token.
 */
const TOKEN_VALUE = /^[\x21-\x7e]+$/

export const isTokenValue = (value: unknown): value is string => typeof value === 'string' && TOKEN_VALUE.test(value)

/** The profile fields the rule reads (a subset of the config schema's Profile). */
export interface RuleProfile {
  provider?: string
  issuer?: string
  endpoints?: { token?: string }
  clientId?: string
  region?: string
  host?: string
  scopes?: readonly string[]
  audience?: string
  resource?: string
  dpop?: boolean
}

/**
 * Which server and client a token belongs to: the issuer, an explicit token endpoint, a vendor's
 * region or host, and the client id. Stored with every token; a token read back under another
 * binding (the profile was re-added for another server or client) is not used, and its refresh
 * token is never sent anywhere.
 */
export function tokenBinding(profile: RuleProfile): string {
  return JSON.stringify([profile.provider ?? 'generic', profile.issuer ?? null, profile.endpoints?.token ?? null, profile.region ?? null, profile.host ?? null, profile.clientId ?? null])
}

/** What a stored token must have for the rule; the full command parses the rest with zod. */
export interface CachedToken {
  access_token: string
  token_type: string
  expires_at: number
  refresh_token?: string
  id_token?: string
  scope?: string
  requested: TokenRequestShape
  binding: string
  [field: string]: unknown
}

/** A stored value as a token of this binding with valid token values, else undefined (absent). */
export function checkStoredValue(value: string | undefined, binding: string): CachedToken | undefined {
  if (!value) return undefined
  let token: Partial<CachedToken> | null
  try {
    token = JSON.parse(value) as Partial<CachedToken> | null
  } catch {
    return undefined
  }
  if (!token || typeof token !== 'object' || token.binding !== binding) return undefined
  if (!isTokenValue(token.access_token) || typeof token.token_type !== 'string' || typeof token.expires_at !== 'number') return undefined
  if ((token.refresh_token !== undefined && !isTokenValue(token.refresh_token)) || (token.id_token !== undefined && !isTokenValue(token.id_token))) return undefined
  const requested = token.requested
  if (!requested || !Array.isArray(requested.scopes)) return undefined
  return token as CachedToken
}

/** What the server granted (`scope` of the response, else what was asked for: RFC 6749 §5.1). */
export const grantedScopes = (token: Pick<CachedToken, 'scope' | 'requested'>): string[] =>
  normalizeScopes(token.scope !== undefined ? [token.scope] : token.requested.scopes)

/** Whether a token obtained for one shape serves a request for another: same audience and resource, scopes a subset. */
export function covers(token: Pick<CachedToken, 'scope' | 'requested'>, shape: TokenRequestShape): boolean {
  return withinScopes(token, shape, grantedScopes(token))
}

/**
 * Whether a session's refresh token may be asked for this shape (a down-scope, RFC 6749 §6): what
 * the login asked for counts too, since an access token's `scope` may leave out scopes the grant
 * holds (oidc-provider lists only the resource's scopes, not `openid`); the server decides.
 */
export function mayDownScope(token: Pick<CachedToken, 'scope' | 'requested'>, shape: TokenRequestShape): boolean {
  return withinScopes(token, shape, [...grantedScopes(token), ...normalizeScopes(token.requested.scopes)])
}

function withinScopes(token: Pick<CachedToken, 'requested'>, shape: TokenRequestShape, scopes: readonly string[]): boolean {
  const allowed = new Set(scopes)
  return token.requested.audience === shape.audience && token.requested.resource === shape.resource && shape.scopes.every((s) => allowed.has(s))
}

/** The profile's own request shape: its scopes, audience and resource. */
export const profileShape = (profile: RuleProfile): TokenRequestShape => ({
  scopes: normalizeScopes(profile.scopes ?? []),
  audience: profile.audience,
  resource: profile.resource,
})

export const shapeKey = (profileName: string, shape: TokenRequestShape) => secretKeys.token(profileName, tokenCacheKey(shape))

/**
 * Where the profile's session lives: what `login` stored (whatever scopes it asked for), else the
 * token `token get` obtained for the profile's own shape. The key of that shape, so that the
 * cached `token get` with no flags costs one read, as before sessions.
 */
export const sessionKey = (profileName: string, profile: RuleProfile) => shapeKey(profileName, profileShape(profile))

export interface CachedTokenQuery {
  profileName: string
  profile: RuleProfile
  /** The scopes, audience and resource the command asked for; undefined when it named none. */
  explicit?: TokenRequestShape
  minTtl: number
  now: number
  read(key: string): Promise<string | undefined>
}

/**
 * The stored token that answers this request, or undefined (the caller then refreshes or runs a
 * grant). With no scopes named: the profile's session. With scopes named: the token stored for
 * exactly them, else the session when what it was granted covers them. Either way only a token
 * of this profile's binding, with valid token values, still fresh for `minTtl`, and DPoP-bound
 * when the profile uses DPoP (a Bearer token would not match the proofs).
 */
export async function resolveCachedToken(query: CachedTokenQuery): Promise<CachedToken | undefined> {
  const binding = tokenBinding(query.profile)
  const usable = async (key: string) => {
    const token = checkStoredValue(await query.read(key), binding)
    return token && isFresh(token, query.minTtl, query.now) && (!query.profile.dpop || token.token_type === 'DPoP') ? token : undefined
  }
  const session = sessionKey(query.profileName, query.profile)
  if (!query.explicit) return usable(session)
  const explicit = query.explicit
  const exactKey = shapeKey(query.profileName, explicit)
  const exact = await usable(exactKey)
  if (exact || exactKey === session) return exact
  const fromSession = await usable(session)
  return fromSession && covers(fromSession, explicit) ? fromSession : undefined
}
