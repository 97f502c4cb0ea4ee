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

export interface CliErrorOptions {
  /** Stable machine-readable code, e.g. `invalid_client`, `timeout`, `config_invalid`. */
  code?: string
  hint?: string
  /** HTTP status of the response that caused the error, when there was one. */
  httpStatus?: number
  cause?: unknown
}

export class CliError extends Error {
  readonly kind: ErrorKind
  readonly code: string
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
    super('server_refused', errorDescription ? `${error}: ${errorDescription}` : error, {
      code: error,
      httpStatus,
      hint,
    })
    this.name = 'OAuthError'
    this.error = error
    this.errorDescription = errorDescription
  }
}

export const isCliError = (err: unknown): err is CliError => err instanceof CliError
