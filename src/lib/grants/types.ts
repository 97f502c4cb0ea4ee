import type { OAuthSession } from '../oauth/session.js'
import type { StoredToken, TokenResponse } from '../tokens/token-set.js'

export interface GrantRequest {
  session: OAuthSession
  /** scope, audience, resource and --param extras, already assembled. */
  parameters: URLSearchParams
  /** The token we hold for this cache key, if any (refresh uses its refresh token). */
  current?: StoredToken
}

/** One grant type. A new grant is one file exporting this, plus a line in `grants/index.ts`. */
export interface Grant {
  name: string
  /** Whether `auto` may pick this grant for this request. */
  usableFor(request: GrantRequest): boolean
  request(request: GrantRequest): Promise<TokenResponse>
}
