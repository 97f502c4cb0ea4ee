import { decodeJwt } from 'jose'

/** A stored ID token's claims, read without verifying again (it was verified before it was stored); undefined when unreadable. */
export function storedIdTokenClaims(idToken: string): { exp?: unknown; sub?: unknown } | undefined {
  try {
    return decodeJwt(idToken)
  } catch {
    return undefined
  }
}

/** An ID token's `exp` (epoch seconds); undefined when it has none (then it is treated as expired). */
export function idTokenExpiry(idToken: string): number | undefined {
  const exp = storedIdTokenClaims(idToken)?.exp
  return typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined
}
