import * as oauth from 'oauth4webapi'
import { badResponse, CliError, OAuthError, usageError } from '../errors.js'
import { redactText } from '../redact.js'

/** Checks whose failure means "do not trust this": a failed verification is exit 4 (SPEC.md). */
const VERIFICATION_CODES = new Set<string>([
  oauth.JWT_TIMESTAMP_CHECK,
  oauth.JWT_CLAIM_COMPARISON,
  oauth.JSON_ATTRIBUTE_COMPARISON,
  oauth.KEY_SELECTION,
])

/** Map an oauth4webapi error into ours. `what` names the endpoint for the message. */
export function fromOAuthLibrary(err: unknown, what: string): unknown {
  if (err instanceof CliError) return err
  if (err instanceof oauth.ResponseBodyError) {
    return new OAuthError(err.error, err.error_description && redactText(err.error_description), err.status)
  }
  if (err instanceof oauth.WWWAuthenticateChallengeError) {
    const challenge = err.cause[0]
    const error = challenge?.parameters.error ?? 'invalid_token'
    return new OAuthError(error, challenge?.parameters.error_description, err.status)
  }
  if (err instanceof oauth.AuthorizationResponseError) {
    return new OAuthError(err.error, err.error_description, undefined)
  }
  if (err instanceof oauth.OperationProcessingError) {
    const code = err.code ?? 'invalid_response'
    if (code === oauth.HTTP_REQUEST_FORBIDDEN || code === oauth.REQUEST_PROTOCOL_FORBIDDEN) {
      return usageError(`refusing ${what}: ${err.message}`, { code: 'insecure_transport' })
    }
    // oauth4webapi reports some JWT checks (a missing nonce, an unannounced alg) as an invalid response;
    // they carry the token's claims or header, and a failed token check is exit 4, not a broken server.
    // So does a callback that fails a check (RFC 9207 `iss` of another issuer, or missing where the
    // server promised it): the library names the callback's parameters as the cause.
    const cause = err.cause as { claims?: unknown; header?: unknown; parameters?: unknown } | undefined
    const checked = code === oauth.INVALID_RESPONSE && typeof cause === 'object' && cause !== null
    const jwtCheck = checked && ('claims' in cause || 'header' in cause)
    const callbackCheck = checked && cause.parameters instanceof URLSearchParams
    if (VERIFICATION_CODES.has(code) || jwtCheck || callbackCheck) {
      return new CliError('server_refused', `${what}: ${redactText(err.message)}`, { code: 'verification_failed' })
    }
    return badResponse(`${what} returned an invalid response: ${redactText(err.message)}`, { code: 'invalid_response' })
  }
  if (err instanceof oauth.UnsupportedOperationError) {
    // Raised while processing what the server sent (e.g. a token_type other than Bearer/DPoP).
    return badResponse(`${what} returned something unsupported: ${redactText(err.message)}`, { code: 'unsupported_response' })
  }
  return err
}
