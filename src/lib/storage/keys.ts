// CommonJS so that the fast path of `token get` (bin/run.js, no ESM loader) shares it.
export { secretKeys } from './keys.cjs'
