// CommonJS so that the fast path of `token get` (bin/run.js, no ESM loader) shares it.
export { DEFAULT_MIN_TTL_SECONDS, isFresh, normalizeScopes, nowSeconds, tokenCacheKey, type TokenRequestShape } from './cache.cjs'
