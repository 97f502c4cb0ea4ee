import { z } from 'zod'
import type { Profile } from '../../config/schema.js'
import { usageError } from '../../errors.js'
import type { ErrorBodyReader } from '../../http/response.js'
import { explicitOrigin } from '../hosts.js'
import { bearerTokenDetails, isSuccess, vendorEndpoint, vendorError, vendorRequest } from '../http.js'
import type { VendorPreset } from '../types.js'

/** Genesys Cloud's region domains (platform-client-sdk-python `purecloud_region_hosts.py`). */
export const GENESYS_REGIONS = [
  'mypurecloud.com',
  'mypurecloud.ie',
  'mypurecloud.com.au',
  'mypurecloud.jp',
  'mypurecloud.de',
  'usw2.pure.cloud',
  'cac1.pure.cloud',
  'apne2.pure.cloud',
  'euw2.pure.cloud',
  'aps1.pure.cloud',
  'use2.us-gov-pure.cloud',
  'sae1.pure.cloud',
  'mec1.pure.cloud',
  'apne3.pure.cloud',
  'euc2.pure.cloud',
  'mxc1.pure.cloud',
  'apse1.pure.cloud',
] as const

/**
 * API and login base URLs from the profile's region: a region domain (`mypurecloud.ie` →
 * `https://api.mypurecloud.ie`, `https://login.mypurecloud.ie`), or an explicit origin that serves
 * both (a private or local test deployment). Without a region, the `login.` host of the profile's
 * token endpoint names it.
 */
export function genesysHosts(profile: Pick<Profile, 'region' | 'endpoints'>): { api: string; login: string } {
  const region = profile.region ?? loginDomain(profile.endpoints.token)
  if (!region) {
    throw usageError('the profile has no Genesys Cloud region', { code: 'no_region', hint: 'oauthctl profiles add NAME --provider genesys --region mypurecloud.ie' })
  }
  const origin = explicitOrigin(region, 'the Genesys Cloud region')
  if (origin) return { api: origin.origin, login: origin.origin }
  const domain = region.replace(/^(api|login)\./i, '').toLowerCase()
  if (!(GENESYS_REGIONS as readonly string[]).includes(domain)) {
    throw usageError(`${JSON.stringify(region)} is not a Genesys Cloud region`, {
      code: 'bad_region',
      hint: `use one of ${GENESYS_REGIONS.join(', ')} (or an origin URL such as https://host:port for a private deployment)`,
    })
  }
  return { api: `https://api.${domain}`, login: `https://login.${domain}` }
}

function loginDomain(tokenEndpoint: string | undefined): string | undefined {
  const host = tokenEndpoint ? new URL(tokenEndpoint).hostname : ''
  return host.startsWith('login.') ? host.slice('login.'.length) : undefined
}

/** `ErrorBody`: `{message, code, status, details[{fieldName}]…}`. Token endpoint errors are RFC 6749's (plus `description`). */
export const genesysErrorBody: ErrorBodyReader = (body) => {
  const b = body as { code?: unknown; message?: unknown; details?: unknown }
  if (typeof b?.code !== 'string' || typeof b.message !== 'string') return undefined
  const fields = Array.isArray(b.details) ? b.details.map((d: { fieldName?: unknown }) => d?.fieldName).filter((f): f is string => typeof f === 'string') : []
  return { error: b.code, description: fields.length > 0 ? `${b.message} (field ${fields.join(', ')})` : b.message }
}

const NamedEntity = z.object({ id: z.string(), name: z.string().optional() }).loose()

/** `TokenInfo` (note the capitalised `OAuthClient` key). */
const TokenInfoSchema = z
  .object({
    organization: NamedEntity.optional(),
    homeOrganization: NamedEntity.optional(),
    authorizedScope: z.array(z.string()).optional(),
    dateTokenIdles: z.string().optional(),
    OAuthClient: NamedEntity.optional(),
  })
  .loose()

const TOKENS_ME = '/api/v2/tokens/me'

/**
 * Genesys Cloud: login.<region> for the OAuth endpoints, api.<region> for the rest. Token
 * requests are standard (raw Basic for confidential clients, client_id alone with PKCE); a token is
 * described by `GET /api/v2/tokens/me` and revoked by `DELETE` on the same path, each called with
 * the token itself.
 */
export const genesysPreset: VendorPreset = {
  endpoints: (profile) => {
    const { api, login } = genesysHosts(profile)
    return { authorization: `${login}/oauth/authorize`, token: `${login}/oauth/token`, introspection: `${api}${TOKENS_ME}`, revocation: `${api}${TOKENS_ME}` }
  },
  errorReaders: [genesysErrorBody],
  // Genesys's platform SDKs send base64(clientId:clientSecret) as it is; the server does not URL-decode it.
  basicEncoding: 'raw',

  introspect: (ctx, token) => {
    const url = new URL(vendorEndpoint(ctx, 'introspection', 'introspection-endpoint'))
    // Looking at a token is not using it: its idle timeout stays where it was.
    url.searchParams.set('preserveIdleTTL', 'true')
    return bearerTokenDetails(ctx, token, { url: url.href, what: 'Genesys Cloud token details', schema: TokenInfoSchema, readers: [genesysErrorBody] })
  },

  revocableTypes: ['access_token'],
  revoke: async (ctx, token, typeHint) => {
    if (typeHint === 'refresh_token') {
      throw usageError('Genesys Cloud cannot revoke a refresh token: DELETE /api/v2/tokens/me revokes the access token it is called with', {
        code: 'not_supported',
        hint: 'revoke the access token: oauthctl token get | oauthctl token revoke - --type-hint access_token',
      })
    }
    const url = vendorEndpoint(ctx, 'revocation', 'revocation-endpoint')
    const what = 'Genesys Cloud token revocation'
    const res = await vendorRequest(ctx.http, { method: 'DELETE', url, headers: { authorization: `Bearer ${token}` }, what })
    // 401: the token is already unusable, which is what revoking it asks for (RFC 7009 §2.2).
    if (!isSuccess(res) && res.status !== 401) throw vendorError(res, what, [genesysErrorBody])
  },
}
