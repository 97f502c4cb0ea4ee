import * as oauth from 'oauth4webapi'
import type { OAuthSession } from '../oauth/session.js'
import { secretKeys } from '../storage/keys.js'
import type { SecretStore } from '../storage/types.js'
import { storedTokenValues } from './token-set.js'

/** RFC 7009 revocation (a server answers 200 for tokens it does not know, too), or the adapter's own endpoint. */
export async function revoke(session: OAuthSession, token: string, typeHint?: string): Promise<void> {
  if (session.adapter.revoke) return session.adapter.revoke(session.adapterContext, token, typeHint)
  await session.call(
    'revocation endpoint',
    session.as.revocation_endpoint,
    async (options) =>
      oauth.revocationRequest(session.as, session.client, await session.clientAuth(), token, {
        ...options,
        additionalParameters: typeHint ? { token_type_hint: typeHint } : undefined,
      }),
    (response) => oauth.processRevocationResponse(response),
    // oauth4webapi sends no DPoP proof here (RFC 9449 defines none); servers that check one for DPoP-bound tokens get ours.
    { proofHeader: true },
  )
}

/** Remove every cached entry of the profile that holds this token (as access or refresh token), whatever server it came from. */
export async function forgetToken(store: SecretStore, profileName: string, token: string): Promise<number> {
  let removed = 0
  for (const key of await store.list(secretKeys.tokenPrefix(profileName))) {
    const stored = storedTokenValues(await store.get(key))
    if (stored.access_token === token || stored.refresh_token === token) {
      await store.delete(key)
      removed++
    }
  }
  return removed
}
