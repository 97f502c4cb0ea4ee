import { usageError } from '../errors.js'

/** The loopback host names a redirect URI may use (RFC 8252 §7.3), as written in a URL. */
export const LOOPBACK_REDIRECT_HOSTS = ['127.0.0.1', '[::1]', 'localhost'] as const
export type LoopbackRedirectHost = (typeof LOOPBACK_REDIRECT_HOSTS)[number]

/** A validated loopback redirect URI: where the listener binds, and the URI sent to the server once the port is known. */
export interface RedirectTarget {
  host: LoopbackRedirectHost
  /** Absent: any free port (the URI sent carries the one chosen). */
  port?: number
  /** The exact path the listener answers on; anything else is 404. */
  path: string
}

/** RFC 8252 §7.3's loopback IP literal, any port, and oauthctl's path of old. */
export const DEFAULT_REDIRECT: RedirectTarget = { host: '127.0.0.1', path: '/callback' }

/**
 * Check `--redirect-uri` or a profile's redirectUri: plain http to a loopback host, any path, a
 * fixed port or none. Refused (exit 2): another host (the listener binds loopback only), https
 * (the listener has no certificate), userinfo, a query or a fragment (the server adds its
 * parameters to the query; a fragment is not allowed in a redirect URI, RFC 6749 §3.1.2).
 */
export function parseRedirectUri(value: string, source = '--redirect-uri'): RedirectTarget {
  const refuse = (reason: string) =>
    usageError(`${source} ${JSON.stringify(value)}: ${reason}`, {
      code: 'bad_redirect_uri',
      hint: 'use http://127.0.0.1[:PORT]/PATH, http://[::1][:PORT]/PATH or http://localhost[:PORT]/PATH',
    })
  if (!URL.canParse(value)) throw refuse('not an absolute URL')
  const url = new URL(value)
  if (url.protocol === 'https:') throw refuse('https is not possible: the loopback listener has no certificate (RFC 8252 §7.3 uses http)')
  if (url.protocol !== 'http:') throw refuse(`its scheme is ${url.protocol}, not http:`)
  if (url.username || url.password) throw refuse('it carries a user name or password')
  if (value.includes('#')) throw refuse('a redirect URI may not have a fragment')
  if (url.search || value.includes('?')) throw refuse('a query is not supported (the server adds its answer there)')
  const host = LOOPBACK_REDIRECT_HOSTS.find((h) => h === url.hostname)
  if (!host) throw refuse(`${url.hostname} is not a loopback host; only 127.0.0.1, [::1] and localhost (the listener binds loopback only)`)
  // URL drops a default port (":80"), which here is a fixed port all the same: read it from the text.
  const written = /^http:\/\/[^/?#]*?:(\d+)(?:[/?#]|$)/i.exec(value)?.[1]
  const port = written === undefined ? undefined : Number(written)
  if (port !== undefined && (port < 1 || port > 65535)) throw refuse('the port must be 1-65535 (leave it out for any free port)')
  return { host, port, path: url.pathname }
}

/** The redirect URI of a target whose listener has `port`. */
export const redirectUriOf = (target: RedirectTarget, port: number | undefined): string =>
  `http://${target.host}${port === undefined ? '' : `:${port}`}${target.path}`

/**
 * The redirect target of one login: `--redirect-uri`, else the profile's, else 127.0.0.1 and
 * /callback. Its port: `--port` (refused when the URI names another), else the URI's, else the
 * profile's redirectPort, else any free one.
 */
export function resolveRedirect(uri: string | undefined, source: string, port: number | undefined, profilePort: number | undefined): RedirectTarget {
  const target = uri === undefined ? DEFAULT_REDIRECT : parseRedirectUri(uri, source)
  if (port !== undefined && target.port !== undefined && port !== target.port) {
    throw usageError(`--port ${port} contradicts the port of ${source} (${target.port})`, { code: 'bad_redirect_uri' })
  }
  return { ...target, port: port ?? target.port ?? profilePort }
}
