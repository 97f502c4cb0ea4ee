import type { AuthMethod, BasicEncoding, Profile } from '../../config/schema.js'
import { usageError } from '../../errors.js'
import { OAuthSession } from '../../oauth/session.js'
import { hostOrigin } from '../hosts.js'
import type { VendorPreset } from '../types.js'

/** Where APIMatic's multi-auth sample keeps its auth server under the API server (its `testing` environment). */
const AUTH_SERVER_PATH = '/oauth2/auth-server'
const CLIENT_CREDENTIALS_PATH = '/request_token'
const USER_GRANTS_TOKEN_PATH = '/oauth2/non-auth-server/token'
const AUTH_METHOD: AuthMethod = 'client_secret_basic'
/** The APIMatic reference's "Basic auth format": base64(client_id:client_secret), nothing form-encoded. */
const BASIC_ENCODING: BasicEncoding = 'raw'

/** The API server (APIMatic's `DEFAULT`) that `--host` names: `HOST[:PORT]` over https, or an origin. */
const apiServer = (profile: Pick<Profile, 'host'>) => (profile.host ? hostOrigin(profile.host, 'the APIMatic host') : undefined)

const noServer = () => usageError('the profile has no APIMatic API server', { code: 'no_host', hint: 'oauthctl profiles add NAME --provider apimatic --host HOST' })

/** The token endpoint of every grant but client credentials: fixed under the API server. */
function userGrantsTokenEndpoint(profile: Pick<Profile, 'host'>): string {
  const server = apiServer(profile)
  if (!server) throw noServer()
  return `${server}${USER_GRANTS_TOKEN_PATH}`
}

/**
 * APIMatic-generated SDKs' OAuth (the multi-auth sample): RFC 6749 throughout, with
 * client_secret_basic, but the token endpoint is split. Client credentials go to the auth server's
 * `/request_token`: the profile's token endpoint, by default `HOST/oauth2/auth-server/request_token`
 * (`--token-endpoint` moves it, e.g. to a separate auth host). Every other grant (the login's
 * code, refresh, password) goes to `HOST/oauth2/non-auth-server/token`. Each is the standard
 * request, sent to its endpoint; `--param` and the profile's params add form fields.
 */
export const apimaticPreset: VendorPreset = {
  endpoints: (profile) => {
    const server = apiServer(profile)
    if (server) return { authorization: `${server}/oauth/authorize`, token: `${server}${AUTH_SERVER_PATH}${CLIENT_CREDENTIALS_PATH}` }
    // A profile for client credentials alone may name just the auth server's endpoint.
    if (profile.endpoints.token) return {}
    throw noServer()
  },
  defaultAuthMethod: AUTH_METHOD,
  basicEncoding: BASIC_ENCODING,

  tokenRequest: async (ctx, grantType, parameters) => {
    const token = grantType === 'client_credentials' ? ctx.endpoints.token : userGrantsTokenEndpoint(ctx.profile)
    // The standard request at this grant's endpoint: a session with no adapter, so it is not routed here again.
    const standard = new OAuthSession(
      {
        ...ctx.profile,
        authMethod: ctx.profile.authMethod ?? AUTH_METHOD,
        basicEncoding: ctx.profile.basicEncoding ?? BASIC_ENCODING,
        endpoints: { ...ctx.endpoints, token },
      },
      ctx.http,
      ctx.secret,
    )
    return standard.grant(grantType, parameters)
  },

}
