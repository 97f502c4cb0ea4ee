import type { StorageKind } from '../config/schema.js'
import type { JsonDocument } from '../documents/json-schemas.js'
import { expiryJson } from '../tokens/token-output.js'
import { registerSecret } from '../redact.js'
import { secretKeys } from '../storage/keys.js'
import { tokenCacheKey } from '../tokens/cache.js'
import { type TokenContext, tokenLockName } from '../tokens/context.js'
import { grantedScopes, profileShape, sessionKey, tokenBinding } from '../tokens/cached-token.js'
import { formatDuration } from '../tokens/inspect.js'
import { type StoredToken, toStoredToken } from '../tokens/token-set.js'
import type { FlowResult } from './types.js'

/** What `login` reports (its --json document): who, what was granted, until when. No token values. */
export type LoginSummary = JsonDocument<'login'>

/**
 * Store a login's validated tokens as the profile's session, whatever scopes it asked for: `token
 * get`, `inspect` and `refresh` with no flags use it, and narrower requests are served from it.
 * Tokens the profile held before (derived from an earlier session, perhaps another user's) are
 * deleted. Under the lock `token get` refreshes the session with, so a refresh of the old grant
 * running meanwhile cannot overwrite the new tokens.
 */
export async function storeLogin(
  result: FlowResult,
  requested: StoredToken['requested'],
  ctx: Pick<TokenContext, 'profileName' | 'profile' | 'store' | 'configDir' | 'now'>,
): Promise<StoredToken> {
  const token = toStoredToken(result.response, result.grant, requested, ctx.now(), tokenBinding(ctx.profile))
  registerSecret(token.access_token)
  registerSecret(token.refresh_token)
  registerSecret(token.id_token)
  const key = sessionKey(ctx.profileName, ctx.profile)
  const save = async () => {
    await ctx.store.set(key, JSON.stringify(token))
    for (const other of await ctx.store.list(secretKeys.tokenPrefix(ctx.profileName))) if (other !== key) await ctx.store.delete(other)
  }
  if (ctx.store.kind === 'none') await save()
  else {
    const { withLock } = await import('../lock.js')
    await withLock(ctx.configDir, tokenLockName(ctx.profileName, tokenCacheKey(profileShape(ctx.profile))), save)
  }
  return token
}

export function loginSummary(profile: string, issuer: string, token: StoredToken, result: FlowResult, storage: StorageKind, now: number): LoginSummary {
  const name = result.claims?.name
  return {
    profile,
    issuer,
    grant: token.grant,
    subject: result.claims?.sub,
    name: typeof name === 'string' ? name : undefined,
    scopes: grantedScopes(token),
    ...expiryJson(token.expires_at),
    expiresIn: token.expires_at - now,
    refreshable: Boolean(token.refresh_token),
    storage,
  }
}

/** The one line `login` prints on stderr. */
export function describeLogin(s: LoginSummary): string {
  const who = s.subject ? ` as ${s.name && s.name !== s.subject ? `${s.name} (${s.subject})` : s.subject}` : ''
  const refresh = s.refreshable ? ', with a refresh token' : ''
  return `logged in to ${s.issuer}${who} (profile ${s.profile}): scopes ${s.scopes.join(' ') || '(none)'}; access token expires in ${formatDuration(s.expiresIn)} (${s.expiresAt})${refresh}`
}
