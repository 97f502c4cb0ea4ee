import { z } from 'zod'
import type { Profile } from '../../config/schema.js'
import type { ErrorBodyReader } from '../../http/response.js'
import { baseFromTokenEndpoint } from '../hosts.js'
import { bearerTokenDetails, postTokenRequest, requireSecret, tokenEndpointWhat, vendorEndpoint } from '../http.js'
import type { VendorPreset } from '../types.js'

export const PHONECOM_BASE = 'https://api.phone.com/v4'
const TOKEN_PATH = '/oauth/access-token'

/** The API base is where the profile's token endpoint lives (`…/v4/oauth/access-token`), else phone.com's. */
export const phonecomBase = (profile: Pick<Profile, 'endpoints'>): string => baseFromTokenEndpoint(profile, TOKEN_PATH, PHONECOM_BASE)

/** Mason `{"@error": {"@httpStatusCode", "@message", "@code"?, "@messages"?}}`, as phone.com's own CLI reads it. */
export const masonErrorBody: ErrorBodyReader = (body) => {
  const e = (body as { '@error'?: unknown } | null)?.['@error'] as Record<string, unknown> | undefined
  if (!e || typeof e !== 'object') return undefined
  const text = (key: string) => (typeof e[key] === 'string' ? (e[key] as string) : undefined)
  const code = text('@code')
  const message = text('@message')
  const more = Array.isArray(e['@messages']) ? e['@messages'].filter((m): m is string => typeof m === 'string') : []
  const description = [code ? message : undefined, ...more].filter(Boolean).join('; ')
  return { error: code ?? message ?? `http_${String(e['@httpStatusCode'])}`, description: description || undefined }
}

/** `GetOauthAccessToken`: what `GET /oauth/access-token` says of the token it is called with. */
export const TokenDetailsSchema = z
  .object({
    scope: z.string().optional(),
    expires_at: z.int().optional(),
    // The account id (voip_id) appears for account-owner tokens.
    scope_details: z.array(z.object({ voip_id: z.int().optional() }).loose()).optional(),
  })
  .loose()

/**
 * phone.com API v4. Token requests are JSON with `client_id`/`client_secret` in the body and
 * answer 201; the code and implicit logins start at `GET /oauth/authorization`; a token's
 * details come from `GET /oauth/access-token`. API v4 has no revocation.
 */
export const phonecomPreset: VendorPreset = {
  endpoints: (profile) => {
    const base = phonecomBase(profile)
    return { authorization: `${base}/oauth/authorization`, token: `${base}${TOKEN_PATH}`, introspection: `${base}${TOKEN_PATH}` }
  },
  defaultAuthMethod: 'client_secret_post',
  // Client credentials needs a scope; account-owner is what client administration needs too.
  defaultScopes: ['account-owner'],
  errorReaders: [masonErrorBody],

  tokenRequest: (ctx, grantType, parameters) =>
    postTokenRequest(ctx, {
      url: vendorEndpoint(ctx, 'token', 'token-endpoint'),
      what: tokenEndpointWhat(grantType),
      // The grant's own fields win over --param extras of the same name.
      body: {
        json: { ...Object.fromEntries(parameters), grant_type: grantType, client_id: ctx.profile.clientId, client_secret: requireSecret(ctx, 'client secret: phone.com token requests carry it') },
      },
      readers: [masonErrorBody],
    }),

  introspect: (ctx, token) =>
    bearerTokenDetails(ctx, token, { url: vendorEndpoint(ctx, 'introspection', 'introspection-endpoint'), what: 'phone.com token details', schema: TokenDetailsSchema, readers: [masonErrorBody] }),

}
