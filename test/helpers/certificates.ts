import { execFileSync } from 'node:child_process'
import { createHash, X509Certificate } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Node has no X.509 certificate builder, so the tests' certificates come from the openssl CLI.
 * Where it is missing the mTLS tests skip, except in CI (a runner without openssl is broken).
 */
export const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()
export const skipMtlsTests = !hasOpenssl && !process.env.CI

export interface CertificateFiles {
  /** Paths of the PEM files. */
  cert: string
  key: string
  /** The certificate's PEM text. */
  pem: string
}

export interface TestPki {
  /** The CA that issued the server and client certificates. */
  ca: CertificateFiles
  /** For 127.0.0.1 (IP subjectAltName). */
  server: CertificateFiles
  /** CN=oauthctl-test-client, issued by the CA: for tls_client_auth. */
  client: CertificateFiles
  /** Issued by nobody: for self_signed_tls_client_auth. */
  selfSigned: CertificateFiles
}

export const CLIENT_SUBJECT = 'CN=oauthctl-test-client'

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']

/** A CA, a server certificate for 127.0.0.1, a client certificate it issued, and a self-signed one, in `dir`. */
export function makeTestPki(dir: string): TestPki {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
  const files = (name: string): CertificateFiles => {
    const cert = join(dir, `${name}.pem`)
    return { cert, key: join(dir, `${name}.key`), pem: readFileSync(cert, 'utf8') }
  }
  const selfSigned = (name: string, subject: string, extensions: string[]) => {
    openssl('req', '-x509', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/${subject}`, ...extensions.flatMap((e) => ['-addext', e]))
    return files(name)
  }
  const issued = (name: string, subject: string, extensions: string) => {
    openssl('req', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/${subject}`)
    writeFileSync(join(dir, `${name}.ext`), extensions)
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`)
    return files(name)
  }
  const ca = selfSigned('ca', 'CN=oauthctl test CA', ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'])
  return {
    ca,
    server: issued('server', 'CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'),
    client: issued('client', CLIENT_SUBJECT, 'extendedKeyUsage=clientAuth\n'),
    selfSigned: selfSigned('self-signed', 'CN=oauthctl-self-signed-client', ['extendedKeyUsage=clientAuth']),
  }
}

/** RFC 8705 §3.1: `x5t#S256` is the base64url SHA-256 of the certificate's DER encoding. */
export const certificateThumbprint = (pem: string) => createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url')

/** The certificate's public key as a JWK with the certificate in x5c: how a self_signed_tls_client_auth client registers it. */
export function certificateJwk(pem: string): Record<string, unknown> {
  const certificate = new X509Certificate(pem)
  return { ...certificate.publicKey.export({ format: 'jwk' }), x5c: [certificate.raw.toString('base64')] }
}
