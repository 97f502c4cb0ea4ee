// The same as store: read and ignored (see store.ts for why).
export { default } from './store.js'
