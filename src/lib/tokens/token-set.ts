import { z } from 'zod'

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
  /** What was asked for, so `status` can say it without reversing the cache key. */
  requested: z.object({ scopes: z.array(z.string()), audience: z.string().optional(), resource: z.string().optional() }),
  /** The whole token response, for `--output json`. */
  response: z.record(z.string(), z.unknown()),
})

export type StoredToken = z.infer<typeof StoredTokenSchema>

export function toStoredToken(
  response: TokenResponse,
  grant: string,
  requested: StoredToken['requested'],
  now: number,
  previousRefreshToken?: string,
): StoredToken {
  const lifetime = response.expires_in ?? ASSUMED_LIFETIME_SECONDS
  return {
    access_token: response.access_token,
    token_type: /^dpop$/i.test(response.token_type) ? 'DPoP' : 'Bearer',
    expires_at: now + lifetime,
    obtained_at: now,
    scope: response.scope ?? (requested.scopes.length ? requested.scopes.join(' ') : undefined),
    // A server that does not rotate refresh tokens sends none back: keep the one we had.
    refresh_token: response.refresh_token ?? previousRefreshToken,
    id_token: response.id_token,
    grant,
    requested,
    response: { ...response },
  }
}

/** Parse a stored value; anything unreadable is treated as absent (it will be replaced). */
export function parseStoredToken(value: string | undefined): StoredToken | undefined {
  if (!value) return undefined
  try {
    const result = StoredTokenSchema.safeParse(JSON.parse(value))
    return result.success ? result.data : undefined
  } catch {
    return undefined
  }
}
