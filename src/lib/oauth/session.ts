import * as oauth from 'oauth4webapi'
import type { AuthMethod, BasicEncoding, Endpoints, Profile } from '../config/schema.js'
import { authRequired, badResponse, OAuthError, usageError } from '../errors.js'
import type { HttpClient } from '../http/client.js'
import { type ErrorBodyReader, errorFromResponse, oauthErrorBody, readJson } from '../http/response.js'
import { type ClientSecret, describeSource, hasClientCredentials } from '../secrets.js'
import { type TokenResponse, TokenResponseSchema } from '../tokens/token-set.js'
import { basicEncodingHint, clientSecretBasic } from './basic-auth.js'
import { loadClientKey } from './client-key.js'
import { type AdapterContext, type CredentialLookup, type ServerAdapter, STANDARD } from './adapter.js'
import { createDpopProof } from './dpop.js'
import { authorizationServer, effectiveEndpoints, requireEndpoint } from './endpoints.js'
import { fromOAuthLibrary } from './library-errors.js'
import { checkTransport } from '../http/transport.js'

/** What oauth4webapi's request functions get from `call()`: our fetch, the transport rule, and DPoP when the profile uses it. */
export interface RequestOptions {
  [oauth.customFetch]: typeof fetch
  [oauth.allowInsecureRequests]?: boolean
  /** oauth4webapi adds a proof to the token and PAR requests it sends with this handle. */
  DPoP?: oauth.DPoPHandle
  /** Our own proof, for the requests oauth4webapi makes none for (revocation, introspection). */
  headers?: Record<string, string>
}

export interface SessionOptions {
  /** The profile's DPoP key pair (RFC 9449), loaded when a request first needs a proof. */
  dpopKey?: () => Promise<oauth.CryptoKeyPair>
  /** Where adapter hooks find credentials beyond the client secret (Nutanix: the Prism user's password). */
  secrets?: CredentialLookup
  /** How this server departs from the standard (a vendor's adapter); default: not at all. */
  adapter?: ServerAdapter
}

/**
 * Everything oauth4webapi needs to talk to one profile's authorization server over our HTTP
 * layer: the server metadata, the client, its authentication and the request options, with the
 * sender constraints the profile asks for (a DPoP key, a client certificate on the HTTP layer).
 */
export class OAuthSession {
  readonly as: oauth.AuthorizationServer
  readonly client: oauth.Client
  readonly adapter: ServerAdapter
  /** The effective endpoints: explicit, else discovered, else the adapter's. */
  readonly endpoints: Endpoints
  private dpop?: Promise<{ keyPair: oauth.CryptoKeyPair; handle: oauth.DPoPHandle }>
  /** DPoP-Nonce values by origin, for our own proofs (oauth4webapi's handle keeps its own). */
  private readonly dpopNonces = new Map<string, string>()

  constructor(
    readonly profile: Profile,
    private readonly http: HttpClient,
    private readonly secret: ClientSecret | undefined,
    private readonly senders: SessionOptions = {},
  ) {
    if (!profile.clientId) {
      throw usageError('the profile has no client id', { code: 'no_client_id', hint: 'oauthctl profiles add NAME --client-id ID (or OAUTHCTL_CLIENT_ID)' })
    }
    this.adapter = senders.adapter ?? STANDARD
    this.endpoints = effectiveEndpoints(profile, this.adapter.endpoints?.(profile))
    this.as = authorizationServer(profile, this.endpoints)
    // RFC 8705 §5: with a client certificate, the server's mtls_endpoint_aliases (when it has any) are the endpoints to use.
    this.client = { client_id: profile.clientId, use_mtls_endpoint_aliases: profile.tlsCert !== undefined }
  }

  /** The JWK thumbprint of the DPoP key (`dpop_jkt`, RFC 9449 §10); undefined without DPoP. */
  async dpopThumbprint(): Promise<string | undefined> {
    return (await this.dpopState())?.handle.calculateThumbprint()
  }

  /** The DPoP key and oauth4webapi's handle for it (which tracks the server's nonces), loaded once. */
  private dpopState(): Promise<{ keyPair: oauth.CryptoKeyPair; handle: oauth.DPoPHandle }> | undefined {
    const load = this.senders.dpopKey
    if (!load) return undefined
    this.dpop ??= load().then((keyPair) => ({ keyPair, handle: oauth.DPoP(this.client, keyPair) }))
    return this.dpop
  }

  /** RFC 6749 error bodies, then the adapter's own shapes. */
  get errorReaders(): ErrorBodyReader[] {
    return [oauthErrorBody, ...(this.adapter.errorReaders ?? [])]
  }

  /** What an adapter hook needs to make its own requests. */
  get adapterContext(): AdapterContext {
    return { profile: this.profile, http: this.http, secret: this.secret, endpoints: this.endpoints, secrets: this.senders.secrets }
  }

  /** Whether token requests go the adapter's way (its encoding, its endpoint), not oauth4webapi's. */
  get ownTokenRequests(): boolean {
    return this.adapter.tokenRequest !== undefined
  }

  /** A token request for any grant: the adapter's way when it has one, else the standard's. */
  grant(grantType: string, parameters: URLSearchParams): Promise<TokenResponse> {
    const what = `token endpoint (${grantType.replace(/^urn:ietf:params:oauth:grant-type:/, '')})`
    if (this.adapter.tokenRequest) return this.adapter.tokenRequest(this.adapterContext, grantType, parameters)
    return this.tokenRequest(
      what,
      async (options) => oauth.genericTokenEndpointRequest(this.as, this.client, await this.clientAuth(), grantType, parameters, options),
      (response) => oauth.processGenericTokenEndpointResponse(this.as, this.client, response),
    )
  }

  /** Whether this client can authenticate itself (a secret, a private key or its TLS certificate), as client credentials needs. */
  get hasClientCredentials(): boolean {
    return hasClientCredentials(this.profile, this.secret)
  }

  /** How the client authenticates: the profile's method, else the adapter's, else what its credentials allow. */
  get authMethod(): AuthMethod {
    return this.profile.authMethod ?? this.adapter.defaultAuthMethod ?? (this.secret ? 'client_secret_basic' : this.profile.privateKeyPath ? 'private_key_jwt' : 'none')
  }

  /** client_secret_basic's encoding: the profile's, else the adapter's, else RFC 6749's form encoding. */
  get basicEncoding(): BasicEncoding {
    return this.profile.basicEncoding ?? this.adapter.basicEncoding ?? 'form'
  }

  /** The stored tokens revocation takes: the adapter's answer, else both (RFC 7009). */
  get revocableTypes(): readonly ('access_token' | 'refresh_token')[] {
    return this.adapter.revocableTypes ?? ['access_token', 'refresh_token']
  }

  /** Whether the server can revoke at all: an RFC 7009 endpoint or the adapter's own. */
  get canRevoke(): boolean {
    return this.as.revocation_endpoint !== undefined || this.adapter.revoke !== undefined
  }

  /** One of the effective endpoints, or exit 2 naming the flag that sets it. */
  requireEndpoint(which: keyof Endpoints, flag: string): string {
    return requireEndpoint(this.endpoints, which, flag)
  }

  /** The profile's client authentication; public clients (`none`) authenticate with their id only. */
  async clientAuth(): Promise<oauth.ClientAuth> {
    const method = this.authMethod
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
        if (method === 'client_secret_basic') return clientSecretBasic(this.client.client_id, this.secret.value, this.basicEncoding)
        if (method === 'client_secret_post') return oauth.ClientSecretPost(this.secret.value)
        return oauth.ClientSecretJwt(this.secret.value, audience)
      }
    }
  }

  /**
   * The URL a request for `endpoint` really goes to: its mTLS alias when the client presents a
   * certificate (oauth4webapi resolves the same alias), else the endpoint itself.
   */
  private effectiveEndpoint(endpoint: string): string {
    const aliases = (this.client.use_mtls_endpoint_aliases && this.as.mtls_endpoint_aliases) || {}
    for (const [name, alias] of Object.entries(aliases)) {
      if (typeof alias === 'string' && (this.as as Record<string, unknown>)[name] === endpoint) return alias
    }
    return endpoint
  }

  /**
   * Request options for an endpoint: our fetch, http allowed only where the transport rule allows,
   * and a DPoP proof when the profile uses DPoP: oauth4webapi's (`DPoP` handle) where the library
   * makes one, else ours in the headers (`proofHeader`).
   */
  private async requestOptions(url: string, what: string, proofHeader: boolean): Promise<RequestOptions> {
    const options: RequestOptions = {
      [oauth.customFetch]: this.http.fetchFor(this.purpose(what)) as typeof fetch,
      [oauth.allowInsecureRequests]: checkTransport(url, this.http.insecure, `the ${what}`),
    }
    const dpop = await this.dpopState()
    if (!dpop) return options
    const { keyPair, handle } = dpop
    if (!proofHeader) return { ...options, DPoP: handle }
    return { ...options, headers: { dpop: await createDpopProof(keyPair, { htm: 'POST', htu: url, nonce: this.dpopNonces.get(new URL(url).origin) }) } }
  }

  /**
   * Call one of the server's endpoints through oauth4webapi: non-2xx statuses become our typed
   * errors (with the status and content type), then the library validates the body. A DPoP nonce
   * challenge (RFC 9449 §8) is answered once: the proofs of the retry carry the nonce the server sent.
   */
  async call<T>(
    what: string,
    endpoint: string | undefined,
    send: (options: RequestOptions) => Promise<Response>,
    process: (response: Response) => Promise<T>,
    { proofHeader = false }: { proofHeader?: boolean } = {},
  ): Promise<T> {
    if (!endpoint) throw usageError(`the profile has no ${what}`, { code: 'no_endpoint', hint: 'oauthctl profiles add NAME --issuer URL (or give the endpoint explicitly)' })
    const url = this.effectiveEndpoint(endpoint)
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await send(await this.requestOptions(url, what, proofHeader))
        const raw = this.http.rawResponse(response)
        const nonce = raw?.headers['dpop-nonce']
        if (nonce) this.dpopNonces.set(new URL(url).origin, nonce)
        if (raw && (raw.status < 200 || raw.status >= 300)) throw errorFromResponse(raw, what, this.errorReaders)
        if (raw && raw.status !== 204 && raw.body.length > 0) readJson(raw, what) // HTML or malformed JSON: our message, not the library's
        return await process(response)
      } catch (err) {
        const failure = fromOAuthLibrary(err, what)
        // The error body says use_dpop_nonce (non-2xx bodies become OAuthError before oauth4webapi reads them).
        if (attempt === 1 && this.senders.dpopKey && failure instanceof OAuthError && failure.error === 'use_dpop_nonce') {
          this.http.trace?.note('the server asked for a DPoP nonce (use_dpop_nonce): the request goes again with a proof that carries it')
          continue
        }
        throw this.withClientAuthHint(failure)
      }
    }
  }

  /** A token request, whose success body must also pass our schema (token_type, expires_in bounds). */
  async tokenRequest(
    what: string,
    send: (options: RequestOptions) => Promise<Response>,
    process: (response: Response) => Promise<oauth.TokenEndpointResponse>,
  ): Promise<TokenResponse> {
    const processed = await this.call(what, this.as.token_endpoint, send, process)
    const result = TokenResponseSchema.safeParse(processed)
    if (!result.success) {
      const issue = result.error.issues[0]
      throw badResponse(`${what} returned an unusable token response: ${issue?.path.join('.') || 'body'}: ${issue?.message}`, { code: 'invalid_token_response' })
    }
    const { token_type: type, expires_in: ttl, refresh_token: refresh, id_token: idToken } = result.data
    const carries = [refresh && 'a refresh token', idToken && 'an ID token'].filter(Boolean).join(' and ')
    this.http.trace?.check(`token response: a ${type} token${ttl === undefined ? '' : ` for ${ttl} s`}${carries ? `, with ${carries}` : ''}`)
    return result.data
  }

  /** How traces name a request to `what` (as messages name it): what it is for and how the client authenticates. */
  private purpose(what: string): string {
    const auth = `${this.authMethod}${this.senders.dpopKey ? ', DPoP proof' : ''}`
    const grant = /^token endpoint \((.+)\)$/.exec(what)?.[1]
    if (grant) return `Token request (${grant}${grant === 'authorization_code' ? ', PKCE verifier' : grant === 'device_code' ? ', polling' : ''}, ${auth})`
    const purposes: Record<string, string> = {
      'device authorization endpoint': `Device authorization request (RFC 8628, ${auth})`,
      'pushed authorization request endpoint': `Pushed authorization request (PAR, RFC 9126, ${auth})`,
      'revocation endpoint': `Token revocation (RFC 7009, ${auth})`,
      'introspection endpoint': `Token introspection (RFC 7662, ${auth})`,
      'userinfo endpoint': `UserInfo request (the access token as ${this.senders.dpopKey ? 'DPoP' : 'Bearer'} credentials)`,
    }
    return purposes[what] ?? what
  }

  /**
   * `invalid_client` from a client that sends Basic credentials whose two encodings differ: the
   * encoding may be what the server refused, so the hint names the other one. Not where the
   * adapter's documented encoding is in use: there the other one is not the answer.
   */
  private withClientAuthHint(err: unknown): unknown {
    if (!(err instanceof OAuthError) || err.error !== 'invalid_client' || err.hint || !this.secret || this.authMethod !== 'client_secret_basic') return err
    if (this.adapter.basicEncoding === this.basicEncoding) return err
    const hint = basicEncodingHint(this.client.client_id, this.secret.value, this.basicEncoding)
    return hint ? new OAuthError(err.error, err.errorDescription, err.httpStatus, hint) : err
  }

  describeCredentials(): string {
    return this.secret ? `client secret from ${describeSource(this.secret.source)}` : 'no client secret'
  }
}
