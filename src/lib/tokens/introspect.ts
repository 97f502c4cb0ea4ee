import * as oauth from 'oauth4webapi'
import type { OAuthSession } from '../oauth/session.js'

/** RFC 7662 introspection with the client's own authentication, or the adapter's own endpoint (a vendor's token details). */
export function introspect(session: OAuthSession, token: string, typeHint?: string): Promise<Record<string, unknown>> {
  if (session.adapter.introspect) return session.adapter.introspect(session.adapterContext, token)
  return session.call(
    'introspection endpoint',
    session.as.introspection_endpoint,
    async (options) =>
      oauth.introspectionRequest(session.as, session.client, await session.clientAuth(), token, {
        ...options,
        additionalParameters: typeHint ? { token_type_hint: typeHint } : undefined,
      }),
    (response) => oauth.processIntrospectionResponse(session.as, session.client, response),
    // oauth4webapi sends no DPoP proof here (RFC 9449 defines none); servers that check one for DPoP-bound tokens get ours.
    { proofHeader: true },
  )
}
