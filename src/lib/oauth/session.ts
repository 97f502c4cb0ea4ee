import * as oauth from 'oauth4webapi'
import type { Profile } from '../config/schema.js'
import { authRequired, usageError } from '../errors.js'
import type { HttpClient } from '../http/client.js'
import { errorFromResponse } from '../http/response.js'
import { type ClientSecret, describeSource } from '../secrets.js'
import { type TokenResponse, TokenResponseSchema } from '../tokens/token-set.js'
import { badResponse } from '../errors.js'
import { authorizationServer } from './endpoints.js'
import { fromOAuthLibrary } from './library-errors.js'
import { checkTransport } from './transport.js'

/**
 * Everything oauth4webapi needs to talk to one profile's authorization server over our HTTP
 * layer: the server metadata, the client, its authentication and the request options.
 */
export class OAuthSession {
  readonly as: oauth.AuthorizationServer
  readonly client: oauth.Client

  constructor(
    readonly profile: Profile,
    private readonly http: HttpClient,
    private readonly secret: ClientSecret | undefined,
  ) {
    if (!profile.clientId) {
      throw usageError('the profile has no client id', { code: 'no_client_id', hint: 'oauthctl profiles add NAME --client-id ID (or OAUTHCTL_CLIENT_ID)' })
    }
    this.as = authorizationServer(profile)
    this.client = { client_id: profile.clientId }
  }

  get hasClientCredentials(): boolean {
    return this.secret !== undefined || this.profile.authMethod === 'private_key_jwt'
  }

  /** The profile's client authentication; public clients (`none`) authenticate with their id only. */
  clientAuth(): oauth.ClientAuth {
    const method = this.profile.authMethod ?? (this.secret ? 'client_secret_basic' : 'none')
    if (method === 'none') return oauth.None()
    if (method === 'client_secret_basic' || method === 'client_secret_post' || method === 'client_secret_jwt') {
      if (!this.secret) throw authRequired(`the profile uses ${method} but has no client secret`, {
        hint: 'store one with oauthctl profiles add NAME --client-secret-stdin, or set OAUTHCTL_CLIENT_SECRET',
      })
      if (method === 'client_secret_basic') return oauth.ClientSecretBasic(this.secret.value)
      if (method === 'client_secret_post') return oauth.ClientSecretPost(this.secret.value)
      return oauth.ClientSecretJwt(this.secret.value)
    }
    throw usageError(`client authentication ${method} is not supported yet`, { code: 'unsupported_auth_method' })
  }

  /** Request options for an endpoint: our fetch, and http allowed only where the transport rule allows. */
  options(url: string | undefined, what: string): { [oauth.customFetch]: typeof fetch; [oauth.allowInsecureRequests]?: boolean } {
    const allowHttp = url ? checkTransport(url, this.http.insecure, what) : false
    return { [oauth.customFetch]: this.http.fetch as typeof fetch, [oauth.allowInsecureRequests]: allowHttp }
  }

  /**
   * Send a token request and process its response: non-2xx statuses become our typed errors,
   * the body is checked by oauth4webapi and then by our schema (token_type, expires_in bounds).
   */
  async tokenRequest(
    what: string,
    send: (options: ReturnType<OAuthSession['options']>) => Promise<Response>,
    process: (response: Response) => Promise<oauth.TokenEndpointResponse>,
  ): Promise<TokenResponse> {
    const endpoint = this.as.token_endpoint
    if (!endpoint) throw usageError('the profile has no token endpoint', { code: 'no_endpoint', hint: 'oauthctl profiles add NAME --issuer URL (or --token-endpoint URL)' })
    let processed: oauth.TokenEndpointResponse
    try {
      const response = await send(this.options(endpoint, 'the token endpoint'))
      const raw = this.http.rawResponse(response)
      if (raw && (raw.status < 200 || raw.status >= 300)) throw errorFromResponse(raw, what)
      processed = await process(response)
    } catch (err) {
      throw fromOAuthLibrary(err, what)
    }
    const result = TokenResponseSchema.safeParse(processed)
    if (!result.success) {
      const issue = result.error.issues[0]
      throw badResponse(`${what} returned an unusable token response: ${issue?.path.join('.') || 'body'}: ${issue?.message}`, { code: 'invalid_token_response' })
    }
    return result.data
  }

  describeCredentials(): string {
    return this.secret ? `client secret from ${describeSource(this.secret.source)}` : 'no client secret'
  }
}
