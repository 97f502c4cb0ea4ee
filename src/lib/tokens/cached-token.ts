// CommonJS so that the fast path of `token get` (bin/run.js, no ESM loader) shares it.
export {
  type CachedToken,
  type CachedTokenQuery,
  checkStoredValue,
  grantedScopes,
  isTokenValue,
  mayDownScope,
  profileShape,
  resolveCachedToken,
  type RuleProfile,
  sessionKey,
  shapeKey,
  tokenBinding,
} from './cached-token.cjs'
