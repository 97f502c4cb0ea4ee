import { randomBytes } from 'node:crypto'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A tiny authorization server for the implicit flow alone: oidc-provider refuses a bare
 * `response_type=token`. It publishes RFC 8414 metadata, shows an Allow/Deny page at /authorize and
 * redirects with the token (or the error) in the URL fragment, `iss` included (RFC 9207).
 */
export interface ImplicitServer {
  issuer: string
  /** Every /authorize query received, in order. */
  authorizeRequests: URLSearchParams[]
  /** The access tokens issued, in order. */
  issued: string[]
  close(): Promise<void>
}

export async function startImplicitServer(): Promise<ImplicitServer> {
  const authorizeRequests: URLSearchParams[] = []
  const issued: string[] = []
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer)
    if (url.pathname === '/.well-known/oauth-authorization-server') {
      return json(res, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        response_types_supported: ['token'],
        authorization_response_iss_parameter_supported: true,
      })
    }
    if (url.pathname === '/authorize') {
      authorizeRequests.push(url.searchParams)
      if (url.searchParams.get('response_type') !== 'token') return html(res, 400, '<p>unsupported_response_type</p>')
      const decide = (answer: string) => `/decide?${new URLSearchParams({ ...Object.fromEntries(url.searchParams), answer })}`
      return html(res, 200, `<h1>Allow oauthctl?</h1><a id="allow" href="${escape(decide('allow'))}">Allow</a> <a id="deny" href="${escape(decide('deny'))}">Deny</a>`)
    }
    if (url.pathname === '/decide') {
      const q = url.searchParams
      const fragment = new URLSearchParams({ state: q.get('state') ?? '', iss: issuer })
      if (q.get('answer') === 'allow') {
        const token = randomBytes(24).toString('base64url')
        issued.push(token)
        fragment.set('access_token', token)
        fragment.set('token_type', 'Bearer')
        fragment.set('expires_in', '600')
        fragment.set('scope', q.get('scope') ?? '')
      } else {
        fragment.set('error', 'access_denied')
        fragment.set('error_description', 'The user said no')
      }
      res.writeHead(303, { location: `${q.get('redirect_uri')}#${fragment}` })
      return res.end()
    }
    html(res, 404, '<p>not found</p>')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    issuer,
    authorizeRequests,
    issued,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

const escape = (text: string) => text.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;')

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

function html(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' })
  res.end(`<!doctype html><html><body>${body}</body></html>`)
}
