import { KeychainStore } from '../../src/lib/storage/keychain.js'

/**
 * Whether a real Secret Service answers here. CI sets OAUTHCTL_REQUIRE_KEYCHAIN=1 so that a
 * missing keychain fails the suite instead of skipping its keychain tests.
 */
export async function keychainAvailable(): Promise<boolean> {
  try {
    const store = new KeychainStore({ service: 'oauthctl-test-probe', timeoutMs: 3000 })
    await store.set('probe', 'probe')
    await store.delete('probe')
    return true
  } catch (err) {
    if (process.env.OAUTHCTL_REQUIRE_KEYCHAIN === '1') throw new Error(`OAUTHCTL_REQUIRE_KEYCHAIN=1 but the keychain is unavailable: ${(err as Error).message}`)
    return false
  }
}
