import { KeychainStore } from '../../src/lib/storage/keychain.js'

/** CI sets this so that a missing keychain fails the suite instead of skipping its keychain tests. */
export const KEYCHAIN_REQUIRED = process.env.OAUTHCTL_REQUIRE_KEYCHAIN === '1'

/** Why no real Secret Service answers here (a probe entry written and deleted), or undefined when one does. */
export async function keychainError(): Promise<Error | undefined> {
  try {
    const store = new KeychainStore({ service: 'oauthctl-test-probe', timeoutMs: 3000 })
    await store.set('probe', 'probe')
    await store.delete('probe')
    return undefined
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err))
  }
}

/** Whether the keychain tests can run; with OAUTHCTL_REQUIRE_KEYCHAIN=1 an unavailable keychain throws. */
export async function keychainAvailable(): Promise<boolean> {
  const err = await keychainError()
  if (err && KEYCHAIN_REQUIRED) throw new Error(`OAUTHCTL_REQUIRE_KEYCHAIN=1 but the keychain is unavailable: ${err.message}`)
  return !err
}
