import type { OAuthSession } from '../oauth/session.js'
import { secretKeys } from '../storage/keys.js'
import { openSession } from './session.js'
import { type TokenContext } from '../tokens/context.js'
import { tokenBinding } from '../tokens/cached-token.js'
import { revoke } from '../tokens/revoke.js'
import { parseStoredToken, type StoredToken } from '../tokens/token-set.js'
import type { LoginUi } from '../login/types.js'

export interface LogoutResult {
  profile: string
  /** Stored token sets deleted. */
  deleted: number
  /** Tokens the revocation endpoint accepted. */
  revoked: number
  /** Tokens that could not be revoked (each warned about); they stay valid until they expire. */
  notRevoked: number
}

export interface LogoutContext extends TokenContext {
  ui: Pick<LoginUi, 'info' | 'warn'>
}

interface Revocable {
  value: string
  hint: 'refresh_token' | 'access_token'
  /** Expiry in epoch seconds, where we know it. */
  expiresAt?: number
}

/**
 * Revoke the profile's stored tokens where the server has a revocation endpoint (RFC 7009), then
 * delete them all. Deleting does not depend on revoking: a failed revocation is a warning.
 */
export async function logout(options: { revoke: boolean }, ctx: LogoutContext): Promise<LogoutResult> {
  const keys = await ctx.store.list(secretKeys.tokenPrefix(ctx.profileName))
  const tokens: StoredToken[] = []
  // Only tokens of the profile's current server and client are sent to its revocation endpoint; the rest are just deleted.
  const binding = tokenBinding(ctx.profile)
  for (const key of keys) {
    const token = parseStoredToken(await ctx.store.get(key), binding)
    if (token) tokens.push(token)
  }
  const targets = options.revoke ? revocable(tokens, ctx.now()) : []
  const revoked = targets.length > 0 ? await revokeAll(targets, ctx) : 0
  for (const key of keys) await ctx.store.delete(key)
  return { profile: ctx.profileName, deleted: keys.length, revoked, notRevoked: targets.length - revoked }
}

/** Refresh tokens first (revoking one ends the grant on most servers), then live access tokens; each once. */
function revocable(tokens: StoredToken[], now: number): Revocable[] {
  const refresh = tokens.flatMap((t) => (t.refresh_token ? [{ value: t.refresh_token, hint: 'refresh_token' as const }] : []))
  const access = tokens.filter((t) => t.expires_at > now).map((t) => ({ value: t.access_token, hint: 'access_token' as const, expiresAt: t.expires_at }))
  const seen = new Set<string>()
  return [...refresh, ...access].filter((t) => !seen.has(t.value) && seen.add(t.value))
}

async function revokeAll(targets: Revocable[], ctx: LogoutContext): Promise<number> {
  let session: OAuthSession
  try {
    session = await openSession(ctx)
  } catch (err) {
    ctx.ui.warn(`could not revoke the tokens (${messageOf(err)}); they are deleted here but stay valid until they expire`)
    return 0
  }
  if (!session.canRevoke) {
    ctx.ui.warn('the server has no revocation endpoint: the tokens are deleted here but stay valid until they expire')
    return 0
  }
  const types = session.revocableTypes
  for (const skipped of targets.filter((t) => !types.includes(t.hint))) {
    ctx.ui.warn(`this server cannot revoke a ${skipped.hint.replace('_', ' ')}: it is deleted here but stays valid until it expires`)
  }
  let revoked = 0
  for (const target of targets.filter((t) => types.includes(t.hint))) {
    try {
      await revoke(session, target.value, target.hint)
      revoked++
    } catch (err) {
      const until = target.expiresAt ? new Date(target.expiresAt * 1000).toISOString() : 'it expires'
      ctx.ui.warn(`could not revoke the ${target.hint.replace('_', ' ')} (${messageOf(err)}); it stays valid until ${until}`)
    }
  }
  return revoked
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err))
