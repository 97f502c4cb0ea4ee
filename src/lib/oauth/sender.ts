import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Profile } from '../config/schema.js'
import { CliError, usageError } from '../errors.js'
import type { ClientCertificateFiles } from '../http/client.js'

/**
 * How the client proves possession of what its tokens are bound to, for one command: `--dpop`,
 * `--cert` and `--key` on top of the profile's `dpop`, `tlsCert` and `tlsKey`.
 */
export interface SenderOptions {
  dpop?: boolean
  tlsCert?: string
  tlsKey?: string
}

/** The profile as this command uses it: a flag adds to (never removes) what the profile says. */
export function withSender(profile: Profile, sender: SenderOptions = {}): Profile {
  if (!sender.dpop && !sender.tlsCert && !sender.tlsKey) return profile
  return {
    ...profile,
    dpop: sender.dpop || profile.dpop,
    tlsCert: sender.tlsCert ? resolve(sender.tlsCert) : profile.tlsCert,
    tlsKey: sender.tlsKey ? resolve(sender.tlsKey) : profile.tlsKey,
  }
}

/** The client certificate a profile presents (RFC 8705); a certificate without its key, or the reverse, is a usage error. */
export function clientCertificateOf(profile: Pick<Profile, 'tlsCert' | 'tlsKey'>): ClientCertificateFiles | undefined {
  const { tlsCert: cert, tlsKey: key } = profile
  if (!cert && !key) return undefined
  if (!cert || !key) {
    throw usageError(`a client certificate needs both files: ${cert ? '--key (the private key) is' : '--cert (the certificate) is'} missing`, {
      code: 'client_certificate',
      hint: 'oauthctl profiles add NAME --cert CERT.pem --key KEY.pem',
    })
  }
  return { cert, key }
}

/** Check a client certificate before it is saved: both files readable, PEM, and the key the certificate's. */
export async function checkClientCertificate(files: ClientCertificateFiles): Promise<void> {
  const read = async (path: string, flag: string) => {
    try {
      return await readFile(path)
    } catch (err) {
      throw usageError(`${flag}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`, { code: 'client_certificate' })
    }
  }
  let certificate: X509Certificate
  try {
    certificate = new X509Certificate(await read(files.cert, '--cert'))
  } catch (err) {
    if (err instanceof CliError) throw err
    throw usageError(`--cert: ${files.cert} is not a PEM certificate`, { code: 'client_certificate' })
  }
  let key: KeyObject
  try {
    key = createPrivateKey(await read(files.key, '--key'))
  } catch (err) {
    if (err instanceof CliError) throw err
    throw usageError(`--key: ${files.key} is not a PEM private key`, { code: 'client_certificate' })
  }
  if (!certificate.checkPrivateKey(key)) throw usageError(`--key: ${files.key} is not the private key of ${files.cert}`, { code: 'client_certificate' })
}
