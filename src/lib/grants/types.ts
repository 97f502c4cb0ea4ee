import type { OAuthSession } from '../oauth/session.js'
import type { StoredToken, TokenResponse } from '../tokens/token-set.js'

/** Inputs some grants need beyond the profile; each comes from stdin, a file, env or a prompt. */
export interface GrantInputs {
  username?: string
  password?: string
  subjectToken?: string
  subjectTokenType?: string
  actorToken?: string
  actorTokenType?: string
  requestedTokenType?: string
  /** A ready-made assertion: a JWT (RFC 7523; without it jwt_bearer signs one with the profile's key) or a SAML 2.0 assertion. */
  assertion?: string
  /** Organisation name, for vendors whose SAML bearer grant names one (Genesys Cloud `orgName`). */
  orgName?: string
}

export interface GrantRequest {
  session: OAuthSession
  /** scope, audience, resource and --param extras, already assembled. */
  parameters: URLSearchParams
  /** The token we hold for this cache key, if any (refresh uses its refresh token). */
  current?: StoredToken
  inputs: GrantInputs
  /** Refresh for the narrower `scope` in `parameters` (RFC 6749 §6), not for what was granted. */
  downScope?: boolean
}

/** One grant type. A new grant is one file exporting this, plus a line in `grants/index.ts`. */
export interface Grant {
  name: string
  /** Whether `--grant auto` tries this grant (after the cache), in registry order. */
  auto: boolean
  /** Whether the result is stored as the profile's token for this request shape. */
  stored: boolean
  /** Whether this request has what the grant needs. */
  usableFor(request: GrantRequest): boolean
  request(request: GrantRequest): Promise<TokenResponse>
}
