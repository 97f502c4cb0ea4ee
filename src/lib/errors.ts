/**
 * The error kinds oauthctl reports, and the one table that maps them to exit codes (SPEC.md).
 * Every failure that reaches the user is a CliError; anything else is a bug (exit 1).
 */
export const EXIT_CODES = {
  internal: 1,
  usage: 2,
  auth_required: 3,
  server_refused: 4,
  network: 5,
  bad_response: 5,
  storage: 6,
  /**
   * `clients create|rotate-secret --deliver`: the server issued a new secret, delivering it failed,
   * and it waits in secret storage for `clients recover-secret`. Its own code because, unlike every
   * other failure, running the command again would make things worse (a second rotation).
   */
  delivery_failed: 7,
  /** `exec`: the command to run does not exist, or is not executable (as shells report them). */
  exec_not_found: 127,
  exec_not_executable: 126,
  interrupted: 130,
} as const

export type ErrorKind = keyof typeof EXIT_CODES

/**
 * Every code oauthctl itself gives an error (the `code` of `--json` errors), beside the kinds,
 * which are codes too. A server's own OAuth `error` (`invalid_client`…) is passed through as it is.
 */
export const ERROR_CODES = [
  'bad_argument', 'bad_authorization_details', 'bad_clients_file', 'bad_flag', 'bad_flag_value',
  'bad_grant_type', 'bad_host', 'bad_id', 'bad_input', 'bad_param', 'bad_paste', 'bad_private_key',
  'bad_profile_name', 'bad_proxy', 'bad_redirect_uri', 'bad_region', 'bad_secret_source', 'bad_storage',
  'bad_url', 'ca_file', 'client_certificate', 'command_not_found', 'config_dir_unsafe', 'config_invalid',
  'config_unreadable', 'confirmation_required', 'delivery_timeout', 'discovery_not_found', 'dpop_key_invalid',
  'dpop_not_bound', 'empty_secret', 'empty_stdin', 'env_profile', 'exec_api_version', 'exec_failed',
  'expired_token', 'file_corrupt', 'file_unreadable', 'foreign_link', 'html_response', 'insecure_transport',
  'invalid_response', 'invalid_token_response', 'issuer_not_listed', 'keychain_corrupt', 'keychain_timeout',
  'keychain_unavailable', 'kubectl_failed', 'lock_failed', 'lock_timeout', 'login_incomplete', 'login_timeout',
  'malformed_json', 'missing_argument', 'missing_assertion', 'missing_command', 'missing_flag_value',
  'missing_grant_type', 'missing_name', 'missing_password', 'missing_private_key', 'missing_scope',
  'missing_subject_token', 'missing_username', 'no_account', 'no_admin_password', 'no_authorization_server',
  'no_client_id', 'no_client_secret', 'no_code', 'no_default_profile', 'no_endpoint', 'no_host', 'no_id_token',
  'no_kubectl', 'no_private_key', 'no_profile', 'no_recovery_storage', 'no_region', 'no_registration',
  'no_registration_endpoint', 'no_secret', 'no_username', 'not_confirmed', 'not_executable', 'not_logged_in',
  'not_supported', 'nothing_to_change', 'nothing_to_recover', 'opaque_token', 'paging_loop', 'port_forbidden',
  'port_in_use', 'profile_conflict', 'refresh_rejected', 'registration_mismatch', 'repeated_flag',
  'resource_metadata_not_found', 'response_too_large', 'secret_on_argv', 'spec_file', 'state_mismatch',
  'stdin_is_tty', 'storage_corrupt', 'symlink_refused', 'timeout', 'tls', 'token_inactive', 'too_long',
  'unexpected_argument', 'unexpected_response', 'unknown_command', 'unknown_flag', 'unknown_grant',
  'unknown_profile', 'unsafe_url', 'unsupported_field', 'unsupported_grant', 'unsupported_response',
  'usage_query_failed', 'verification_failed', 'verify_failed',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number] | ErrorKind | `http_${number}`

/** A code from outside oauthctl, passed through as it is: a server's OAuth `error` (`invalid_grant`), a system error (`ECONNREFUSED`). */
export type ExternalCode = string & { readonly server?: never }

export interface CliErrorOptions {
  /** Stable machine-readable code, e.g. `timeout`, `config_invalid` (default: the kind); or one passed through from outside. */
  code?: ErrorCode | ExternalCode
  hint?: string
  /** HTTP status of the response that caused the error, when there was one. */
  httpStatus?: number
  cause?: unknown
}

export class CliError extends Error {
  readonly kind: ErrorKind
  /** One of ERROR_CODES, or an ExternalCode (OAuthError: the server's own `error`). */
  readonly code: ErrorCode | ExternalCode
  readonly hint?: string
  readonly httpStatus?: number

  constructor(kind: ErrorKind, message: string, options: CliErrorOptions = {}) {
    super(message, { cause: options.cause })
    this.name = 'CliError'
    this.kind = kind
    this.code = options.code ?? kind
    this.hint = options.hint
    this.httpStatus = options.httpStatus
  }

  get exitCode(): number {
    return EXIT_CODES[this.kind]
  }
}

export const usageError = (message: string, options?: CliErrorOptions) => new CliError('usage', message, options)

export const authRequired = (message: string, options?: CliErrorOptions) =>
  new CliError('auth_required', message, { hint: 'run `oauthctl login`, or give the profile a client secret', ...options })

export const networkError = (message: string, options?: CliErrorOptions) => new CliError('network', message, options)

export const badResponse = (message: string, options?: CliErrorOptions) =>
  new CliError('bad_response', message, { code: 'bad_response', ...options })

export const storageError = (message: string, options?: CliErrorOptions) => new CliError('storage', message, options)

/** An OAuth 2.0 error response (RFC 6749 §5.2) or a 4xx from an admin API. */
export class OAuthError extends CliError {
  readonly error: string
  readonly errorDescription?: string

  constructor(error: string, errorDescription: string | undefined, httpStatus: number | undefined, hint?: string) {
    super('server_refused', errorDescription ? `${error}: ${errorDescription}` : error, { code: error as ExternalCode, httpStatus, hint })
    this.name = 'OAuthError'
    this.error = error
    this.errorDescription = errorDescription
  }
}

export const isCliError = (err: unknown): err is CliError => err instanceof CliError

/** The same error with a hint, unless it has one already. */
export function withHint(err: CliError, hint: string | undefined): CliError {
  if (!hint || err.hint) return err
  return new CliError(err.kind, err.message, { code: err.code, httpStatus: err.httpStatus, hint, cause: err })
}
