/**
 * Cache key and freshness rules for stored tokens. Kept free of heavy imports: the fast path
 * for a cached `token get` uses exactly these functions.
 */
export interface TokenRequestShape {
  scopes: readonly string[]
  audience?: string
  resource?: string
}

/**
 * Tokens are cached per profile and per requested scope/audience/resource set (order-insensitive).
 * The key is the canonical set itself, base64url-encoded: collision-free, and no crypto module to
 * load on the hot path.
 */
export function tokenCacheKey(shape: TokenRequestShape): string {
  const canonical = JSON.stringify([normalizeScopes(shape.scopes).sort(), shape.audience ?? null, shape.resource ?? null])
  return Buffer.from(canonical).toString('base64url')
}

/**
 * Scopes as a set: repeats and space- vs flag-separated lists (`--scope "a b"`) do not matter, and
 * the cache key sorts them. The order given is kept for the request (some servers' fixtures expect it).
 */
export function normalizeScopes(scopes: readonly string[]): string[] {
  return [...new Set(scopes.flatMap((s) => s.split(' ')).filter(Boolean))]
}

export const DEFAULT_MIN_TTL_SECONDS = 60

/** Usable when it stays valid for at least `minTtlSeconds` more. */
export function isFresh(token: { expires_at?: number }, minTtlSeconds: number, nowSeconds: number): boolean {
  return typeof token.expires_at === 'number' && token.expires_at - nowSeconds >= minTtlSeconds
}

export const nowSeconds = () => Math.floor(Date.now() / 1000)
