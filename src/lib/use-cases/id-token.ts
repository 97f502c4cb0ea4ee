import { authRequired, usageError } from '../errors.js'
import { type GetTokenOptions, getToken, readStoredToken } from './get-token.js'
import { type TokenContext } from '../tokens/context.js'
import { idTokenExpiry } from '../tokens/id-token-claims.js'
import type { JsonDocument } from '../documents/json-schemas.js'
import { expiryJson, renderToken, type TokenOutput } from '../tokens/token-output.cjs'

export interface IdTokenResult {
  idToken: string
  expiresAt: number
  /** `cache`, or the grant that renewed it (refresh_token). */
  source: string
}

/** Exit 3: the session has no (usable) ID token; `why` says which way. */
export const noIdToken = (profileName: string, why: string) =>
  authRequired(`no ID token for profile ${profileName}: ${why}`, {
    code: 'no_id_token',
    hint: `log in with the openid scope: oauthctl login -p ${profileName} --scope openid (and offline_access, to renew it without a browser)`,
  })

/**
 * The session's ID token, valid for at least `minTtl` more seconds: the stored one, else one from a
 * refresh (under the same lock as every token request). Client credentials never yield one.
 */
export async function getIdToken(options: GetTokenOptions, ctx: TokenContext): Promise<IdTokenResult> {
  // The ID token lives with the profile's session (what login stored), whatever scopes this call names.
  const stored = await readStoredToken(ctx)
  if (!stored?.id_token && !stored?.refresh_token) throw noIdToken(ctx.profileName, 'none is stored (was openid among the scopes?)')
  const { token, source } = await getToken({ ...options, idToken: true }, ctx)
  if (!token.id_token) throw noIdToken(ctx.profileName, 'the token response carried none')
  const expiresAt = idTokenExpiry(token.id_token)
  if (expiresAt === undefined) throw noIdToken(ctx.profileName, 'the stored one has no expiry')
  return { idToken: token.id_token, expiresAt, source }
}

/** `token get --id-token` output: the ID token in place of the access token (a Bearer credential for, e.g., Kubernetes OIDC). */
export function renderIdToken(result: IdTokenResult, output: TokenOutput): string {
  switch (output) {
    case 'raw':
    case 'header':
      return renderToken({ access_token: result.idToken, token_type: 'Bearer', expires_at: result.expiresAt }, output)
    case 'json': {
      const doc: JsonDocument<'token get --id-token'> = { idToken: result.idToken, ...expiryJson(result.expiresAt) }
      return `${JSON.stringify(doc, null, 2)}\n`
    }
    case 'env':
      throw usageError('--output env carries the access token; with --id-token use raw, json, header or exec-credential', { code: 'bad_flag' })
  }
}
