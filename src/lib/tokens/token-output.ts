// CommonJS so that the fast path of `token get` (bin/run.js, no ESM loader) shares it.
export { envLine, expiryJson, renderToken, TOKEN_OUTPUTS, type TokenOutput, tokenJson } from './token-output.cjs'
