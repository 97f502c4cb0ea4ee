import { usageError } from '../errors.js'
import { isLoopbackHost } from './transport.js'

/** How a request to one URL leaves this machine, and which setting decided it. */
export type ProxyRoute =
  | { via: 'proxy'; proxy: URL; variable: string }
  | { via: 'direct'; reason: 'loopback' | 'no_proxy_set' | 'no_proxy_match'; variable?: string; entry?: string }

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 }

/** The first of these variables that is set, lower case first (as curl and undici read them). */
function firstSet(env: NodeJS.ProcessEnv, names: string[]): { variable: string; value: string } | undefined {
  for (const variable of names) {
    const value = env[variable]
    if (value) return { variable, value }
  }
  return undefined
}

const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY']
const proxyVariables = (protocol: string) => (protocol === 'https:' ? PROXY_VARIABLES : PROXY_VARIABLES.slice(2))

/**
 * The route of a request to `url` under HTTP(S)_PROXY and NO_PROXY: the one rule, which the HTTP
 * layer follows and `doctor` describes. Loopback always goes direct; otherwise the rules of curl
 * and undici's EnvHttpProxyAgent: https through HTTPS_PROXY else HTTP_PROXY, http through
 * HTTP_PROXY; NO_PROXY entries match a host or its subdomains (a leading `.` or `*.` ignored),
 * with an optional port; `*` matches everything.
 */
export function proxyRoute(url: URL, env: NodeJS.ProcessEnv): ProxyRoute {
  if (isLoopbackHost(url.hostname)) return { via: 'direct', reason: 'loopback' }
  const proxy = firstSet(env, proxyVariables(url.protocol))
  if (!proxy) return { via: 'direct', reason: 'no_proxy_set' }
  const noProxy = firstSet(env, ['no_proxy', 'NO_PROXY'])
  if (noProxy) {
    const host = url.hostname.toLowerCase()
    const port = Number(url.port) || DEFAULT_PORTS[url.protocol] || 0
    if (noProxy.value.trim() === '*') return { via: 'direct', reason: 'no_proxy_match', variable: noProxy.variable, entry: '*' }
    for (const raw of noProxy.value.split(/[,\s]/).filter(Boolean)) {
      const parsed = /^(.+):(\d+)$/.exec(raw)
      const entry = (parsed?.[1] ?? raw).replace(/^\*?\./, '').toLowerCase()
      if (parsed && Number(parsed[2]) !== port) continue
      if (host === entry || host.endsWith(`.${entry}`)) return { via: 'direct', reason: 'no_proxy_match', variable: noProxy.variable, entry }
    }
  }
  return { via: 'proxy', proxy: proxyUrl(proxy.variable, proxy.value), variable: proxy.variable }
}

/** Every proxy variable that is set must be an http(s) URL: a malformed one fails the requests it applies to. */
export function checkProxyVariables(env: NodeJS.ProcessEnv): void {
  for (const variable of PROXY_VARIABLES) {
    const value = env[variable]
    if (value) proxyUrl(variable, value)
  }
}

function proxyUrl(variable: string, value: string): URL {
  let url: URL | undefined
  try {
    url = new URL(value)
  } catch {
    // described below, without the value: it may carry a password
  }
  if (!url || !/^https?:$/.test(url.protocol)) throw usageError(`${variable} is not an http(s) URL`, { code: 'bad_proxy', hint: `set it to http://HOST:PORT, or unset it` })
  return url
}

/** A proxy URL for people: its user name and password never shown. */
export const describeProxy = (proxy: URL) => `${proxy.protocol}//${proxy.username || proxy.password ? '[REDACTED]@' : ''}${proxy.host}`
