import type { Profile } from './config/schema.js'
import type { SecretStore } from './storage/types.js'
import { secretKeys } from './storage/keys.js'
import { registerSecret } from './redact.js'

export type SecretSource = 'env' | 'storage'

/** A secret with where it came from (`status`, `-v` and hints say which). */
export interface ClientSecret {
  value: string
  source: SecretSource
}

export const describeSource = (source: SecretSource) => (source === 'env' ? 'OAUTHCTL_CLIENT_SECRET' : 'secret storage')

/** OAUTHCTL_CLIENT_SECRET wins over the stored secret, so CI can override a checked-in profile. */
export async function lookupClientSecret(profileName: string, store: SecretStore, env: NodeJS.ProcessEnv): Promise<ClientSecret | undefined> {
  const fromEnv = env.OAUTHCTL_CLIENT_SECRET
  if (fromEnv) {
    registerSecret(fromEnv)
    return { value: fromEnv, source: 'env' }
  }
  const stored = await store.get(secretKeys.clientSecret(profileName))
  if (!stored) return undefined
  registerSecret(stored)
  return { value: stored, source: 'storage' }
}

/** Whether the client can authenticate itself (a secret, a private key or its TLS certificate), as client credentials needs. */
export function hasClientCredentials(profile: Pick<Profile, 'tlsCert' | 'authMethod' | 'privateKeyPath'>, secret: ClientSecret | undefined): boolean {
  const byCertificate = profile.tlsCert !== undefined && /tls_client_auth$/.test(profile.authMethod ?? '')
  return secret !== undefined || profile.privateKeyPath !== undefined || byCertificate
}
