import * as oauth from 'oauth4webapi'
import type { Profile } from '../config/schema.js'
import { authRequired, badResponse, usageError } from '../errors.js'
import type { HttpClient } from '../http/client.js'
import { type ErrorBodyReader, errorFromResponse, oauthErrorBody, readJson } from '../http/response.js'
import { type ClientSecret, describeSource } from '../secrets.js'
import { type TokenResponse, TokenResponseSchema } from '../tokens/token-set.js'
import { loadClientKey } from './client-key.js'
import { type Vendor, type VendorContext, vendorFor } from '../vendors/index.js'
import { authorizationServer, effectiveEndpoints } from './endpoints.js'
import { fromOAuthLibrary } from './library-errors.js'
import { checkTransport } from './transport.js'

/**
 * Everything oauth4webapi needs to talk to one profile's authorization server over our HTTP
 * layer: the server metadata, the client, its authentication and the request options.
 */
export class OAuthSession {
  readonly as: oauth.AuthorizationServer
  readonly client: oauth.Client
  readonly vendor?: Vendor

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
    this.vendor = vendorFor(profile.provider)
  }

  /** RFC 6749 error bodies, then the vendor's own shapes. */
  get errorReaders(): ErrorBodyReader[] {
    return [oauthErrorBody, ...(this.vendor?.errorReaders ?? [])]
  }

  /** What a vendor hook needs to make its own requests. */
  get vendorContext(): VendorContext {
    return { profile: this.profile, http: this.http, secret: this.secret, endpoints: effectiveEndpoints(this.profile) }
  }

  /** A token request for any grant: the vendor's way when it has one, else the standard's. */
  grant(grantType: string, parameters: URLSearchParams): Promise<TokenResponse> {
    const what = `token endpoint (${grantType.replace(/^urn:ietf:params:oauth:grant-type:/, '')})`
    if (this.vendor?.tokenRequest) return this.vendor.tokenRequest(this.vendorContext, grantType, parameters)
    return this.tokenRequest(
      what,
      async (options) => oauth.genericTokenEndpointRequest(this.as, this.client, await this.clientAuth(), grantType, parameters, options),
      (response) => oauth.processGenericTokenEndpointResponse(this.as, this.client, response),
    )
  }

  /** Whether this client can authenticate itself (a secret or a private key), as client credentials needs. */
  get hasClientCredentials(): boolean {
    return this.secret !== undefined || this.profile.privateKeyPath !== undefined
  }

  /** The profile's client authentication; public clients (`none`) authenticate with their id only. */
  async clientAuth(): Promise<oauth.ClientAuth> {
    const method =
      this.profile.authMethod ?? this.vendor?.defaultAuthMethod ?? (this.secret ? 'client_secret_basic' : this.profile.privateKeyPath ? 'private_key_jwt' : 'none')
    // RFC 7523 §3: the token endpoint is an audience every server accepts; oauth4webapi defaults to the issuer.
    const audience = { [oauth.modifyAssertion]: (_header: unknown, payload: Record<string, unknown>) => void (payload.aud = this.as.token_endpoint ?? this.as.issuer) }
    switch (method) {
      case 'none':
        return oauth.None()
      case 'tls_client_auth':
      case 'self_signed_tls_client_auth':
        // RFC 8705: the client certificate on the TLS connection authenticates; the body carries client_id.
        return oauth.TlsClientAuth()
      case 'private_key_jwt': {
        if (!this.profile.privateKeyPath) throw usageError('private_key_jwt needs a key: oauthctl profiles add NAME --private-key FILE', { code: 'missing_private_key' })
        const { key, kid } = await loadClientKey(this.profile.privateKeyPath)
        return oauth.PrivateKeyJwt({ key, kid }, audience)
      }
      default: {
        if (!this.secret) {
          throw authRequired(`the profile uses ${method} but has no client secret`, {
            hint: 'store one with oauthctl profiles add NAME --client-secret-stdin, or set OAUTHCTL_CLIENT_SECRET',
          })
        }
        if (method === 'client_secret_basic') return oauth.ClientSecretBasic(this.secret.value)
        if (method === 'client_secret_post') return oauth.ClientSecretPost(this.secret.value)
        return oauth.ClientSecretJwt(this.secret.value, audience)
      }
    }
  }

  /** Request options for an endpoint: our fetch, and http allowed only where the transport rule allows. */
  options(url: string | undefined, what: string): { [oauth.customFetch]: typeof fetch; [oauth.allowInsecureRequests]?: boolean } {
    const allowHttp = url ? checkTransport(url, this.http.insecure, what) : false
    return { [oauth.customFetch]: this.http.fetch as typeof fetch, [oauth.allowInsecureRequests]: allowHttp }
  }

  /**
   * Call one of the server's endpoints through oauth4webapi: non-2xx statuses become our typed
   * errors (with the status and content type), then the library validates the body.
   */
  async call<T>(
    what: string,
    endpoint: string | undefined,
    send: (options: ReturnType<OAuthSession['options']>) => Promise<Response>,
    process: (response: Response) => Promise<T>,
  ): Promise<T> {
    if (!endpoint) throw usageError(`the profile has no ${what}`, { code: 'no_endpoint', hint: 'oauthctl profiles add NAME --issuer URL (or give the endpoint explicitly)' })
    try {
      const response = await send(this.options(endpoint, `the ${what}`))
      const raw = this.http.rawResponse(response)
      if (raw && (raw.status < 200 || raw.status >= 300)) throw errorFromResponse(raw, what, this.errorReaders)
      if (raw && raw.status !== 204 && raw.body.length > 0) readJson(raw, what) // HTML or malformed JSON: our message, not the library's
      return await process(response)
    } catch (err) {
      throw fromOAuthLibrary(err, what)
    }
  }

  /** A token request, whose success body must also pass our schema (token_type, expires_in bounds). */
  async tokenRequest(
    what: string,
    send: (options: ReturnType<OAuthSession['options']>) => Promise<Response>,
    process: (response: Response) => Promise<oauth.TokenEndpointResponse>,
  ): Promise<TokenResponse> {
    const processed = await this.call(what, this.as.token_endpoint, send, process)
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
