import { usageError } from '../errors.js'

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]', '::1'])

export const isLoopbackHost = (hostname: string) => LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname)

/**
 * Plain http is allowed only to loopback (a local server or the sandbox) or with --insecure.
 * Returns whether oauth4webapi must be told to allow a non-https request.
 */
export function checkTransport(url: string | URL, insecure: boolean, what: string): boolean {
  const parsed = new URL(url)
  if (parsed.protocol === 'https:') return false
  if (parsed.protocol !== 'http:') throw usageError(`${what} must be an http(s) URL (got ${parsed.protocol})`, { code: 'bad_url' })
  if (isLoopbackHost(parsed.hostname) || insecure) return true
  throw usageError(`refusing plain http for ${what} on ${parsed.host}: use https`, {
    code: 'insecure_transport',
    hint: '--insecure allows it, and sends credentials readable by anyone on the path',
  })
}
