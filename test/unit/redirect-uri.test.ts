import { describe, expect, it } from 'vitest'
import { CliError } from '../../src/lib/errors.js'
import { parseRedirectUri, redirectUriOf, resolveRedirect } from '../../src/lib/login/redirect-uri.js'

function refusal(run: () => unknown): CliError {
  try {
    run()
  } catch (err) {
    expect(err).toBeInstanceOf(CliError)
    return err as CliError
  }
  throw new Error('expected a refusal')
}

describe('--redirect-uri', () => {
  it('takes the three loopback hosts, any path, a fixed port or none', () => {
    expect(parseRedirectUri('http://127.0.0.1/callback')).toEqual({ host: '127.0.0.1', port: undefined, path: '/callback' })
    expect(parseRedirectUri('http://localhost:8000/oauth2/callback')).toEqual({ host: 'localhost', port: 8000, path: '/oauth2/callback' })
    expect(parseRedirectUri('http://[::1]:65535')).toEqual({ host: '[::1]', port: 65535, path: '/' })
    // URL drops ":80" as the default; it is still a fixed port.
    expect(parseRedirectUri('http://127.0.0.1:80/cb').port).toBe(80)
  })

  it.each([
    ['https://127.0.0.1/callback', 'https is not possible'],
    ['http://example.com/callback', 'not a loopback host'],
    ['http://127.0.0.2/callback', 'not a loopback host'],
    ['http://localhost.example.com/callback', 'not a loopback host'],
    ['http://0.0.0.0:8000/callback', 'not a loopback host'],
    ['http://user:pw@localhost/callback', 'user name or password'],
    ['http://localhost/callback#frag', 'fragment'],
    ['http://localhost/callback#', 'fragment'],
    ['http://localhost/callback?x=1', 'query'],
    ['http://localhost:0/callback', 'port must be 1-65535'],
    ['ftp://localhost/callback', 'scheme is ftp:'],
    ['localhost:8000/callback', 'scheme is localhost:'],
    ['/callback', 'not an absolute URL'],
  ])('refuses %s (exit 2)', (uri, reason) => {
    const err = refusal(() => parseRedirectUri(uri))
    expect(err.exitCode).toBe(2)
    expect(err.code).toBe('bad_redirect_uri')
    expect(err.message).toContain(reason)
  })

  it('sends the URI as configured, with the port the listener got when none was fixed', () => {
    expect(redirectUriOf(parseRedirectUri('http://localhost/a/b'), 51234)).toBe('http://localhost:51234/a/b')
    expect(redirectUriOf(parseRedirectUri('http://[::1]:9000/cb'), 9000)).toBe('http://[::1]:9000/cb')
    expect(redirectUriOf(parseRedirectUri('http://127.0.0.1/cb'), undefined)).toBe('http://127.0.0.1/cb')
  })

  it('--port fills or must agree with the URI; the profile redirectPort only fills', () => {
    expect(resolveRedirect(undefined, 'x', undefined, undefined)).toEqual({ host: '127.0.0.1', path: '/callback', port: undefined })
    expect(resolveRedirect(undefined, 'x', 8765, 1234).port).toBe(8765)
    expect(resolveRedirect('http://localhost/cb', 'x', undefined, 1234).port).toBe(1234)
    expect(resolveRedirect('http://localhost:9000/cb', 'x', undefined, 1234).port).toBe(9000)
    expect(resolveRedirect('http://localhost:9000/cb', 'x', 9000, undefined).port).toBe(9000)
    expect(refusal(() => resolveRedirect('http://localhost:9000/cb', '--redirect-uri', 9001, undefined)).message).toContain('--port 9001 contradicts')
  })
})
