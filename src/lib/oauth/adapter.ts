import type { AuthMethod, BasicEncoding, Endpoints, Profile } from '../config/schema.js'
import type { HttpClient } from '../http/client.js'
import type { ErrorBodyReader } from '../http/response.js'
import type { ClientSecret } from '../secrets.js'
import type { SecretStore } from '../storage/types.js'
import type { TokenResponse } from '../tokens/token-set.js'

/** What an adapter's hooks get: the profile, its client secret (if any) and the one HTTP layer. */
export interface AdapterContext {
  profile: Profile
  http: HttpClient
  secret?: ClientSecret
  /** The effective endpoints (explicit > discovered > the adapter's own). */
  endpoints: Endpoints
  /**
   * Where an adapter finds credentials beyond the client secret (Nutanix: the Prism user's password,
   * OAUTHCTL_ADMIN_PASSWORD or secret storage). Absent for a session built without a store (tests).
   */
  secrets?: CredentialLookup
}

/** The profile's secret storage and environment, to look up credentials the way the client secret is. */
export interface CredentialLookup {
  profileName: string
  store: SecretStore
  env: NodeJS.ProcessEnv
}

/**
 * The one seam where a server that departs from the standard adapts the standard client
 * (OAuthSession): every hook is optional, and without it the standard (oauth4webapi) behaviour
 * applies. The protocol core knows adapters only by this shape; vendors (src/lib/vendors/) supply them.
 */
export interface ServerAdapter {
  /** Endpoints implied by the profile's own fields (a region, a host); explicit endpoints and discovery win. */
  endpoints?(profile: Profile): Endpoints
  /** Client authentication when the profile names none. */
  defaultAuthMethod?: AuthMethod
  /** How the token endpoint reads client_secret_basic (default: form, RFC 6749). */
  basicEncoding?: BasicEncoding
  /** A token request the server's own way (encoding, where the client authenticates, success status). */
  tokenRequest?(ctx: AdapterContext, grantType: string, parameters: URLSearchParams): Promise<TokenResponse>
  /** Readers for the server's own error bodies, tried after RFC 6749's. */
  errorReaders?: ErrorBodyReader[]
  /** Token introspection by the server's own endpoint (no RFC 7662). */
  introspect?(ctx: AdapterContext, token: string): Promise<Record<string, unknown>>
  /** Which stored tokens its revocation takes (default: both; Genesys revokes only the access token it is called with). */
  revocableTypes?: readonly ('access_token' | 'refresh_token')[]
  /** Token revocation by the server's own endpoint (no RFC 7009). */
  revoke?(ctx: AdapterContext, token: string, typeHint?: string): Promise<void>
}

/** The standard: no hook. */
export const STANDARD: ServerAdapter = {}
