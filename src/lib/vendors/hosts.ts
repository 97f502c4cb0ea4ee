import type { Profile } from '../config/schema.js'
import { usageError } from '../errors.js'

/**
 * A base URL from a profile setting that is either a bare host (the vendor's scheme and port
 * apply) or an explicit http(s) URL, which private deployments and local test servers use.
 * Plain http passes only the transport rule (loopback, or --insecure).
 */
export function explicitOrigin(value: string, what: string): URL | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw usageError(`${what} ${JSON.stringify(value)} is not a valid URL`, { code: 'bad_url' })
  }
  if (url.pathname !== '/' || url.search || url.hash) throw usageError(`${what} must be a bare origin such as https://host:port (got a path or query)`, { code: 'bad_url' })
  return url
}

/**
 * The origin a `--host` setting names: `HOST` or `HOST:PORT` over https (`defaultPort` unless a
 * port is given), or an explicit origin such as a local test server.
 */
export function hostOrigin(host: string, what: string, defaultPort?: number): string {
  const explicit = explicitOrigin(host, what)
  if (explicit) return explicit.origin
  const url = URL.canParse(`https://${host}`) ? new URL(`https://${host}`) : undefined
  if (!url || url.pathname !== '/' || url.search || url.username) {
    throw usageError(`${what} ${JSON.stringify(host)} is not a host name or HOST:PORT`, { code: 'bad_host' })
  }
  if (!url.port && defaultPort !== undefined) url.port = String(defaultPort)
  return url.origin
}

/**
 * The API base of a vendor whose token endpoint sits at a fixed path under it: taken from the
 * profile's explicit token endpoint when it has that path (a private deployment, a local test
 * server), else the vendor's public base.
 */
export function baseFromTokenEndpoint(profile: Pick<Profile, 'endpoints'>, tokenPath: string, publicBase: string): string {
  const token = profile.endpoints.token
  return token?.endsWith(tokenPath) ? token.slice(0, -tokenPath.length) : publicBase
}
