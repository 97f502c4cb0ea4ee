/**
 * The shape of every secret-storage key, decided once. Profile names are restricted by the
 * config schema, so `/` cannot occur inside one.
 */
export const secretKeys = {
  clientSecret: (profile: string) => `profile/${profile}/client-secret`,
  token: (profile: string, cacheKey: string) => `profile/${profile}/token/${cacheKey}`,
  /** Everything stored for a profile starts with this. */
  profilePrefix: (profile: string) => `profile/${profile}/`,
  tokenPrefix: (profile: string) => `profile/${profile}/token/`,
  registration: (profile: string) => `profile/${profile}/registration`,
  adminPassword: (profile: string) => `profile/${profile}/admin-password`,
  dpopKey: (profile: string) => `profile/${profile}/dpop-key`,
  /** A new client secret whose delivery failed, kept for `clients recover-secret` (the admin profile's). */
  recovery: (profile: string, clientId: string) => `profile/${profile}/recovery/${clientId}`,
}
