import type { StorageKind } from '../config/schema.js'

/** Where secrets live. Keys are plain strings built by `keys.ts`; values are opaque strings. */
export interface SecretStore {
  readonly kind: StorageKind
  get(key: string): Promise<string | undefined>
  set(key: string, value: string): Promise<void>
  /** True when something was deleted; deleting what is absent is not an error. */
  delete(key: string): Promise<boolean>
  /** Every key that starts with `prefix`. */
  list(prefix: string): Promise<string[]>
}
