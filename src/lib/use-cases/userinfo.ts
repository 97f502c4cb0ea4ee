import * as oauth from 'oauth4webapi'
import { OAuthError } from '../errors.js'
import { DEFAULT_MIN_TTL_SECONDS } from '../tokens/cache.js'
import { getToken } from './get-token.js'
import { openSession } from './session.js'
import { type TokenContext } from '../tokens/context.js'
import { storedIdTokenClaims } from '../tokens/id-token-claims.js'
import { sanitizeInline } from '../output/sanitize.js'

export interface UserInfo {
  /** The claims the UserInfo endpoint returned (OIDC Core §5.3.2). */
  claims: Record<string, unknown>
  /** Whether `sub` was checked against the stored ID token's (it is, whenever one is stored). */
  subjectChecked: boolean
}

/**
 * OIDC UserInfo with the profile's access token (got as `token get` would), through oauth4webapi:
 * a DPoP proof when the profile uses DPoP, and the response's `sub` checked against the ID token's
 * (OIDC Core §5.3.4: a mismatch means the response must not be used), exit 4 when they differ.
 */
export async function userInfo(ctx: TokenContext): Promise<UserInfo> {
  const { token } = await getToken({ grant: 'auto', scopes: [], minTtl: DEFAULT_MIN_TTL_SECONDS, force: false, params: {} }, ctx)
  const session = await openSession(ctx)
  const sub = token.id_token ? storedIdTokenClaims(token.id_token)?.sub : undefined
  const expected = typeof sub === 'string' ? sub : undefined
  try {
    const claims = await session.call(
      'userinfo endpoint',
      session.as.userinfo_endpoint,
      (options) => oauth.userInfoRequest(session.as, session.client, token.access_token, options),
      (response) => oauth.processUserInfoResponse(session.as, session.client, expected ?? oauth.skipSubjectCheck, response),
    )
    if (expected !== undefined) ctx.http.trace?.check("sub: the stored ID token's subject (OIDC Core §5.3.4)")
    else ctx.http.trace?.note('no ID token stored: the response\'s sub cannot be checked against one')
    return { claims: { ...claims }, subjectChecked: expected !== undefined }
  } catch (err) {
    if (err instanceof OAuthError && err.error === 'invalid_token' && !err.hint) {
      throw new OAuthError(err.error, err.errorDescription, err.httpStatus, 'the access token must carry the openid scope and be meant for userinfo: one issued for an API (audience or resource) is refused by many servers')
    }
    throw err
  }
}

/** `userinfo` for people: one claim a line, then whether the subject was checked. */
export function describeUserInfo(info: UserInfo): string {
  const lines = Object.entries(info.claims).map(([name, value]) => `${sanitizeInline(name)}: ${sanitizeInline(typeof value === 'string' ? value : JSON.stringify(value))}`)
  lines.push(info.subjectChecked ? '(sub matches the ID token)' : '(no ID token stored: sub not checked)')
  return lines.join('\n')
}
