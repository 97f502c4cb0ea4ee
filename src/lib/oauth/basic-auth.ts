import * as oauth from 'oauth4webapi'
import type { BasicEncoding } from '../config/schema.js'
import { registerBasicCredentials, strictFormEncode as formEncode } from '../redact.js'

// RFC 6749 §2.3.1: id and secret are form-encoded inside the Basic header, with the strict (HTML 4.01)
// character set oauth4webapi's ClientSecretBasic uses (redact.ts's strictFormEncode).

/** The base64 credentials of `Authorization: Basic …` for id and secret, in the given encoding (UTF-8 bytes). */
export function basicCredentials(clientId: string, secret: string, encoding: BasicEncoding): string {
  const pair = encoding === 'form' ? `${formEncode(clientId)}:${formEncode(secret)}` : `${clientId}:${secret}`
  return Buffer.from(pair, 'utf8').toString('base64')
}

/** Whether the two encodings send different bytes for this id and secret: only then can the choice be what a server refuses. */
export const basicEncodingsDisagree = (clientId: string, secret: string) => formEncode(clientId) !== clientId || formEncode(secret) !== secret

/**
 * client_secret_basic in the profile's encoding. `raw` is a ClientAuth function of our own because
 * oauth4webapi's ClientSecretBasic always form-encodes (RFC 6749 §2.3.1), while Genesys Cloud,
 * APIMatic and many servers that do not URL-decode the header compare `base64(id:secret)` as their
 * SDKs send it. Every form the secret travels in is registered for redaction, whichever is sent.
 */
export function clientSecretBasic(clientId: string, secret: string, encoding: BasicEncoding): oauth.ClientAuth {
  registerBasicCredentials(clientId, secret)
  if (encoding === 'form') return oauth.ClientSecretBasic(secret)
  return (_as, client, _body, headers) => headers.set('authorization', `Basic ${basicCredentials(client.client_id, secret, 'raw')}`)
}

/** The `invalid_client` hint when the encoding may be why: it names the other encoding and how to switch. */
export function basicEncodingHint(clientId: string, secret: string, encoding: BasicEncoding): string | undefined {
  if (!basicEncodingsDisagree(clientId, secret)) return undefined
  const other: BasicEncoding = encoding === 'form' ? 'raw' : 'form'
  const why =
    encoding === 'form'
      ? 'the client id or secret has characters that RFC 6749 form-encodes inside the Basic header, and many servers do not decode them'
      : 'the client id or secret has characters this profile sends unencoded in the Basic header, and this server may expect them form-encoded (RFC 6749 §2.3.1)'
  return `${why}: try oauthctl profiles add NAME --basic-encoding ${other} (for a profile made of OAUTHCTL_* variables: OAUTHCTL_BASIC_ENCODING=${other})`
}
