import { EXIT_CODES, type ErrorKind } from './errors.js'

/**
 * The ENVIRONMENT and EXIT CODES sections of `oauthctl --help`. The exit codes come from the one
 * table in errors.ts; only what each means is written here, per error kind, so a new kind does not
 * typecheck until it is described. A test checks the variables against those the code reads.
 */

export interface HelpRow {
  name: string
  meaning: string
}

/** Every environment variable oauthctl reads, by what it is for. */
export const ENVIRONMENT: readonly HelpRow[] = [
  { name: 'OAUTHCTL_PROFILE', meaning: 'profile to use (as -p)' },
  { name: 'OAUTHCTL_CONFIG_DIR', meaning: 'config folder (default ~/.config/oauthctl; XDG_CONFIG_HOME, or APPDATA on Windows)' },
  { name: 'OAUTHCTL_STORAGE', meaning: 'where secrets live: keychain, file or none (as --storage)' },
  { name: 'OAUTHCTL_KEYCHAIN_ALLOW_KERNEL', meaning: "1: on Linux, accept the kernel keyring when no Secret Service answers (DBUS_SESSION_BUS_ADDRESS)" },
  { name: 'OAUTHCTL_DEBUG', meaning: '1: HTTP trace on stderr, secrets redacted (as -v); stack traces of internal errors' },
  { name: 'OAUTHCTL_TIMEOUT', meaning: 'seconds a request may take (default 30)' },
  { name: 'OAUTHCTL_CONNECT_TIMEOUT', meaning: 'seconds to connect (default 10)' },
  { name: 'OAUTHCTL_ISSUER', meaning: 'a profile from the environment, no config file (CI): the issuer…' },
  { name: 'OAUTHCTL_TOKEN_ENDPOINT', meaning: '…or the token endpoint' },
  { name: 'OAUTHCTL_CLIENT_ID', meaning: 'its client id' },
  { name: 'OAUTHCTL_CLIENT_SECRET', meaning: 'the client secret (of that profile, or of the profile in use)' },
  { name: 'OAUTHCTL_SCOPE', meaning: 'its scopes, space- or comma-separated' },
  { name: 'OAUTHCTL_PROVIDER', meaning: 'its vendor preset' },
  { name: 'OAUTHCTL_AUTH_METHOD', meaning: 'its client authentication method' },
  { name: 'OAUTHCTL_BASIC_ENCODING', meaning: 'its Basic credentials encoding: form or raw' },
  { name: 'OAUTHCTL_PASSWORD', meaning: 'the resource owner password for --grant password' },
  { name: 'OAUTHCTL_ADMIN_PASSWORD', meaning: 'the Nutanix Prism Central password for administration' },
  { name: 'OAUTHCTL_INITIAL_ACCESS_TOKEN', meaning: 'initial access token for clients create (RFC 7591)' },
  { name: 'CI', meaning: 'set: never prompt' },
  { name: 'NO_COLOR', meaning: 'set: no colour' },
  { name: 'FORCE_COLOR', meaning: 'colour even when the output is not a terminal (0 or false: none); NO_COLOR wins' },
  { name: 'TERM', meaning: 'dumb: no colour, a plain spinner' },
  { name: 'BROWSER', meaning: 'the browser login opens' },
  { name: 'HTTPS_PROXY', meaning: 'proxy for https requests (never for loopback)' },
  { name: 'HTTP_PROXY', meaning: 'proxy for http requests' },
  { name: 'NO_PROXY', meaning: 'hosts reached without a proxy' },
  { name: 'NODE_EXTRA_CA_CERTS', meaning: 'extra trusted CA certificates (as --ca-file)' },
  { name: 'XDG_CONFIG_HOME', meaning: 'the config folder is under it (Linux)' },
  { name: 'HOME', meaning: 'the config folder is under it otherwise (Linux, macOS)' },
  { name: 'APPDATA', meaning: 'the config folder is under it (Windows)' },
  { name: 'DBUS_SESSION_BUS_ADDRESS', meaning: 'unset: doctor says why no Secret Service answers' },
  { name: 'KUBERNETES_EXEC_INFO', meaning: 'set by kubectl: the ExecCredential version to answer with' },
  { name: 'DISPLAY', meaning: 'with WAYLAND_DISPLAY: whether login can open a browser (Linux)' },
  { name: 'WAYLAND_DISPLAY', meaning: 'see DISPLAY' },
  { name: 'SSH_CONNECTION', meaning: 'with SSH_CLIENT, SSH_TTY: over SSH, login prints the URL and the ssh -L line' },
  { name: 'SSH_CLIENT', meaning: 'see SSH_CONNECTION' },
  { name: 'SSH_TTY', meaning: 'see SSH_CONNECTION' },
  { name: 'USER', meaning: 'with LOGNAME: the user name in that ssh -L line' },
  { name: 'LOGNAME', meaning: 'see USER' },
]

const MEANINGS = {
  internal: 'internal error (a bug)',
  usage: 'usage: a bad flag, argument, config or input file',
  auth_required: 'not logged in, no usable credentials (oauthctl login, or a client secret)',
  server_refused: 'the server refused (an OAuth error response, a 4xx), or a verification failed',
  network: 'network failure, timeout, TLS failure, 5xx or 429 after retries',
  bad_response: 'a malformed response (HTML, bad JSON, the wrong shape, too large)',
  storage: 'secret storage unavailable, or a config folder that is not safe to use',
  delivery_failed: 'a new client secret was not delivered (--deliver): it waits for clients recover-secret',
  exec_not_found: 'exec: the command was not found',
  exec_not_executable: 'exec: the command is not executable',
  interrupted: 'interrupted (Ctrl-C)',
} satisfies Record<ErrorKind, string>

/** Exit codes in order, 0 first; kinds that share a code share its row. */
export function exitCodeRows(): HelpRow[] {
  const byCode = new Map<number, string[]>([[0, ['success']]])
  for (const [kind, code] of Object.entries(EXIT_CODES) as [ErrorKind, number][]) byCode.set(code, [...(byCode.get(code) ?? []), MEANINGS[kind]])
  return [...byCode.entries()].sort(([a], [b]) => a - b).map(([code, meanings]) => ({ name: String(code), meaning: meanings.join('; ') }))
}
