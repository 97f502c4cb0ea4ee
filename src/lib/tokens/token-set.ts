import { z } from 'zod'
import { badResponse } from '../errors.js'
import { checkStoredValue, isTokenValue } from './cached-token.js'

/** The longest lifetime we believe: a larger `expires_in` is a broken server, not a gift. */
const MAX_EXPIRES_IN = 10 * 365 * 24 * 3600
/** A token response without `expires_in` is reused for this long at most. */
export const ASSUMED_LIFETIME_SECONDS = 300

/** A token endpoint's success response (RFC 6749 §5.1), as far as we rely on it. */
export const TokenResponseSchema = z
  .object({
    access_token: z.string().min(1, 'empty access_token'),
    token_type: z
      .string()
      .refine((t) => /^(bearer|dpop)$/i.test(t), { message: 'token_type must be Bearer or DPoP' }),
    expires_in: z.number().int().min(0).max(MAX_EXPIRES_IN).optional(),
    refresh_token: z.string().min(1).optional(),
    id_token: z.string().min(1).optional(),
    scope: z.string().optional(),
    issued_token_type: z.string().optional(),
  })
  .loose()

export type TokenResponse = z.infer<typeof TokenResponseSchema>

/** What we store per profile and cache key. `expires_at` is in epoch seconds. */
export const StoredTokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_at: z.number().int(),
  obtained_at: z.number().int(),
  scope: z.string().optional(),
  refresh_token: z.string().optional(),
  id_token: z.string().optional(),
  grant: z.string(),
  /** The server and client it came from (tokenBinding): a token is never used with another. */
  binding: z.string(),
  /** What was asked for, so `status` can say it without reversing the cache key. */
  requested: z.object({ scopes: z.array(z.string()), audience: z.string().optional(), resource: z.string().optional() }),
  /** The whole token response, for `--output json`. */
  response: z.record(z.string(), z.unknown()),
})

export type StoredToken = z.infer<typeof StoredTokenSchema>

/**
 * A token response as the token we store and print. Every token in it is checked here, the one
 * place a response becomes a token: a value that could break out of a header line, an env file or
 * a shell (a newline, a space, a control character) is a bad response (exit 5), and nothing is stored.
 */
export function toStoredToken(
  response: TokenResponse,
  grant: string,
  requested: StoredToken['requested'],
  now: number,
  binding: string,
  previousRefreshToken?: string,
): StoredToken {
  for (const field of ['access_token', 'refresh_token', 'id_token'] as const) {
    const value = response[field]
    if (value !== undefined && !isTokenValue(value)) {
      throw badResponse(`the token response's ${field} has characters no token has (only visible ASCII, no spaces); nothing was stored`, { code: 'invalid_token_response' })
    }
  }
  const lifetime = response.expires_in ?? ASSUMED_LIFETIME_SECONDS
  return {
    access_token: response.access_token,
    token_type: /^dpop$/i.test(response.token_type) ? 'DPoP' : 'Bearer',
    expires_at: now + lifetime,
    obtained_at: now,
    // RFC 6749 §5.1: no `scope` means what was asked for. An empty one too: oidc-provider sends ""
    // for a resource-bound access token while granting the OpenID scopes asked for.
    scope: response.scope?.trim() ? response.scope : requested.scopes.length ? requested.scopes.join(' ') : undefined,
    // A server that does not rotate refresh tokens sends none back: keep the one we had.
    refresh_token: response.refresh_token ?? previousRefreshToken,
    id_token: response.id_token,
    grant,
    binding,
    requested,
    response: { ...response },
  }
}

/**
 * Parse a stored value of this binding (see tokenBinding); anything unreadable, with a value no
 * token has, or from another server or client is treated as absent (it will be replaced).
 */
export function parseStoredToken(value: string | undefined, binding: string): StoredToken | undefined {
  const checked = checkStoredValue(value, binding)
  const result = checked && StoredTokenSchema.safeParse(checked)
  return result?.success ? result.data : undefined
}

/** The token values of a stored entry, whatever its binding or shape (to find and delete it); {} when unreadable. */
export function storedTokenValues(value: string | undefined): { access_token?: unknown; refresh_token?: unknown } {
  try {
    const parsed: unknown = JSON.parse(value ?? 'null')
    return parsed && typeof parsed === 'object' ? parsed : {}
  } catch {
    return {}
  }
}
