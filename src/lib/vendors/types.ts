import type { AuthMethod, BasicEncoding, Endpoints, Profile, Provider } from '../config/schema.js'
import type { HttpClient } from '../http/client.js'
import type { ErrorBodyReader } from '../http/response.js'
import type { LoginFlowFn } from '../login/types.js'
import type { ClientSecret } from '../secrets.js'
import type { SecretStore } from '../storage/types.js'
import type { TokenResponse } from '../tokens/token-set.js'

/** What a vendor hook gets: the profile, its client secret (if any) and the one HTTP layer. */
export interface VendorContext {
  profile: Profile
  http: HttpClient
  secret?: ClientSecret
  /** The effective endpoints (explicit > discovered > this vendor's preset). */
  endpoints: Endpoints
  /**
   * Where a vendor finds credentials beyond the client secret (Nutanix: the Prism user's password,
   * OAUTHCTL_ADMIN_PASSWORD or secret storage). Absent for a session built without a store (tests).
   */
  secrets?: VendorSecrets
}

/** The profile's secret storage and environment, to look up a vendor's own credentials the way the client secret is. */
export interface VendorSecrets {
  profileName: string
  store: SecretStore
  env: NodeJS.ProcessEnv
}

/**
 * A vendor preset: one file in src/lib/vendors/ plus a line in index.ts. It fills what the
 * vendor's profile fields imply (region, host) and overrides only what differs from the
 * standard; every hook is optional and the standard (oauth4webapi) behaviour applies without it.
 */
export interface Vendor {
  provider: Provider
  /** Endpoints implied by the profile's vendor fields; explicit endpoints and discovery win. */
  endpoints?(profile: Profile): Endpoints
  /** Client authentication when the profile names none. */
  defaultAuthMethod?: AuthMethod
  /** How its token endpoint reads client_secret_basic, as the vendor's reference and SDKs send it (default: form, RFC 6749). */
  basicEncoding?: BasicEncoding
  /** Scopes when the profile names none: `profiles add` writes them into the profile, where `token get` and its fast path both see them. */
  defaultScopes?: string[]
  /** A token request the vendor's way (encoding, where the client authenticates, success status). */
  tokenRequest?(ctx: VendorContext, grantType: string, parameters: URLSearchParams): Promise<TokenResponse>
  /** Readers for the vendor's error bodies, tried after RFC 6749's. */
  errorReaders?: ErrorBodyReader[]
  /** Token introspection by the vendor's own endpoint (no RFC 7662). */
  introspect?(ctx: VendorContext, token: string): Promise<Record<string, unknown>>
  /** Which stored tokens its revocation takes (default: both; Genesys revokes only the access token it is called with). */
  revocableTypes?: readonly ('access_token' | 'refresh_token')[]
  /** Token revocation by the vendor's own endpoint (no RFC 7009). */
  revoke?(ctx: VendorContext, token: string, typeHint?: string): Promise<void>
  /** Replaces the browser code flow (`login`, `--flow code`) where the vendor logs in another way. */
  loginFlow?: LoginFlowFn
}
