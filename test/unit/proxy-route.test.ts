import { describe, expect, it } from 'vitest'
import { describeProxy, proxyRoute } from '../../src/lib/http/proxy.js'
import { thrown } from '../helpers/errors.js'

const route = (url: string, env: NodeJS.ProcessEnv) => {
  const r = proxyRoute(new URL(url), env)
  return r.via === 'proxy' ? `proxy ${r.proxy.host} (${r.variable})` : `direct ${r.reason}${r.entry ? ` ${r.entry}` : ''}`
}

describe('proxyRoute: the one rule the HTTP layer follows and doctor describes', () => {
  it('https through HTTPS_PROXY, else HTTP_PROXY; http only through HTTP_PROXY; lower case first', () => {
    expect(route('https://idp.example.com/token', { HTTPS_PROXY: 'http://s:1', HTTP_PROXY: 'http://p:2' })).toBe('proxy s:1 (HTTPS_PROXY)')
    expect(route('https://idp.example.com/token', { HTTP_PROXY: 'http://p:2' })).toBe('proxy p:2 (HTTP_PROXY)')
    expect(route('http://idp.example.com/token', { HTTPS_PROXY: 'http://s:1' })).toBe('direct no_proxy_set')
    expect(route('https://idp.example.com/', { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:1' })).toBe('proxy lower:1 (https_proxy)')
  })

  it('loopback is always direct, whatever the variables say', () => {
    for (const url of ['http://127.0.0.1:8976/', 'http://localhost/', 'http://[::1]:9/']) expect(route(url, { HTTPS_PROXY: 'http://s:1', HTTP_PROXY: 'http://s:1' })).toBe('direct loopback')
  })

  it('NO_PROXY: a host, its subdomains (leading . or *. ignored), a port, or *', () => {
    const env = (noProxy: string) => ({ HTTPS_PROXY: 'http://s:1', NO_PROXY: noProxy })
    expect(route('https://idp.example.com/', env('example.com'))).toBe('direct no_proxy_match example.com')
    expect(route('https://idp.example.com/', env('other.test, *.example.com'))).toBe('direct no_proxy_match example.com')
    expect(route('https://example.com/', env('.example.com'))).toBe('direct no_proxy_match example.com')
    expect(route('https://badexample.com/', env('example.com'))).toBe('proxy s:1 (HTTPS_PROXY)')
    expect(route('https://idp.example.com/', env('idp.example.com:8443'))).toBe('proxy s:1 (HTTPS_PROXY)')
    expect(route('https://idp.example.com:8443/', env('idp.example.com:8443'))).toBe('direct no_proxy_match idp.example.com')
    expect(route('https://idp.example.com/', env('*'))).toBe('direct no_proxy_match *')
    expect(route('https://idp.example.com/', { ...env('other.test'), no_proxy: 'example.com' })).toBe('direct no_proxy_match example.com')
  })

  it('a proxy that is not an http(s) URL is a usage error naming the variable, never its value', () => {
    const err = thrown(() => proxyRoute(new URL('https://idp.example.com/'), { HTTPS_PROXY: 'user:s3cret@proxy:3128' }))
    expect(err).toMatchObject({ exitCode: 2, code: 'bad_proxy', message: 'HTTPS_PROXY is not an http(s) URL' })
    expect(JSON.stringify({ message: err.message, hint: err.hint })).not.toContain('s3cret')
  })

  it('describes a proxy without its user name and password', () => {
    expect(describeProxy(new URL('http://alice:pw@proxy.corp:3128'))).toBe('http://[REDACTED]@proxy.corp:3128')
    expect(describeProxy(new URL('https://proxy.corp'))).toBe('https://proxy.corp')
  })
})
