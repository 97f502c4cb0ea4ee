import { createPrivateKey } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { CryptoKey, JWK } from 'jose'
import { CliError, usageError } from '../errors.js'

export interface ClientKey {
  key: CryptoKey
  alg: string
  kid?: string
}

/** The JWS algorithm a key implies when its JWK names none. */
function defaultAlg(jwk: { kty?: string; crv?: string }): string {
  if (jwk.kty === 'RSA') return 'RS256'
  if (jwk.kty === 'EC') return ({ 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' } as Record<string, string>)[jwk.crv ?? ''] ?? 'ES256'
  if (jwk.kty === 'OKP') return 'EdDSA'
  throw usageError(`unsupported private key type ${jwk.kty ?? 'unknown'}`, { code: 'bad_private_key' })
}

/**
 * A client's private key for private_key_jwt and jwt_bearer: a PEM (PKCS#8) or JWK file. The
 * algorithm comes from the key (its JWK `alg`, else its type and curve); `kid` from the JWK.
 */
export async function loadClientKey(path: string): Promise<ClientKey> {
  const jose = await import('jose')
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw usageError(`cannot read private key ${path}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`, { code: 'bad_private_key' })
  }
  try {
    let jwk: JWK
    if (text.trimStart().startsWith('{')) {
      jwk = JSON.parse(text) as JWK
    } else {
      jwk = createPrivateKey(text).export({ format: 'jwk' }) as JWK
    }
    if (!jwk.d) throw new Error('it is a public key')
    const alg = jwk.alg ?? defaultAlg(jwk)
    const key = (await jose.importJWK({ ...jwk, alg }, alg)) as CryptoKey
    // A PEM carries no kid; then none is sent and the server tries the client's keys in turn.
    return { key, alg, kid: jwk.kid }
  } catch (err) {
    if (err instanceof CliError) throw err
    throw usageError(`${path} is not a usable private key (PEM PKCS#8 or JWK): ${(err as Error).message.split('\n')[0]}`, { code: 'bad_private_key' })
  }
}
