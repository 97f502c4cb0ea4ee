import { createHash } from 'node:crypto'
import { request } from 'node:http'
import { connect, createServer } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { CliError, OAuthError } from '../../src/lib/errors.js'
import { checkAuthorizationResponse } from '../../src/lib/login/browser-login.js'
import { type LoopbackServer, startLoopbackServer } from '../../src/lib/login/loopback-server.js'
import type { RedirectTarget } from '../../src/lib/login/redirect-uri.js'

const as = { issuer: 'https://as.example.test' }
const client = { client_id: 'cli' }
const STATE = 'state-of-this-login'

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** One request on a fresh connection, with full control of Host, Origin and the body. */
function hit(port: number, path: string, options: { method?: string; host?: string; address?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: options.address ?? '127.0.0.1', port, path, method: options.method ?? 'GET', agent: false, headers: { host: options.host ?? `127.0.0.1:${port}`, ...options.headers }, timeout: 5000 },
      (res) => {
        let body = ''
        res.on('data', (d: Buffer) => (body += d.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      },
    )
    req.on('error', reject)
    req.on('timeout', () => req.destroy(new Error('request timed out')))
    req.end(options.body)
  })
}

const callback = (params: Record<string, string>) => `/callback?${new URLSearchParams(params)}`

/** Whether the promise is still pending after the event loop had a chance to settle it. */
async function pending(promise: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('pending')
  return (await Promise.race([promise.then(() => 'settled', () => 'settled'), new Promise((r) => setTimeout(() => r(marker), 50))])) === marker
}

const refused = (port: number, host = '127.0.0.1') =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ port, host })
    socket.once('connect', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'))
  })

let servers: LoopbackServer<unknown>[] = []
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()))
  servers = []
})

/** A server with the real callback check; `proceed` returns the code (what the code flow would exchange). */
async function start(options: { mode?: 'query' | 'fragment'; signal?: AbortSignal; port?: number; redirect?: RedirectTarget; proceed?: (code: string | null) => Promise<string | null> } = {}) {
  const handled: URLSearchParams[] = []
  const server = await startLoopbackServer<string | null>({
    redirect: options.redirect ?? { host: '127.0.0.1', port: options.port, path: '/callback' },
    mode: options.mode ?? 'query',
    signal: options.signal ?? new AbortController().signal,
    handle: (params) => {
      handled.push(params)
      const checked = checkAuthorizationResponse({ as, client }, params, STATE)
      if (!('params' in checked)) return checked
      return { proceed: () => (options.proceed ?? (async (code) => code))(checked.params.get('code')) }
    },
  })
  servers.push(server)
  return { server, handled }
}

describe('loopback server', () => {
  it('listens on 127.0.0.1 with the redirect URI of its port', async () => {
    const { server } = await start()
    expect(server.redirectUri).toBe(`http://127.0.0.1:${server.port}/callback`)
    expect(server.port).toBeGreaterThan(0)
  })

  it('--redirect-uri: answers only on its exact path, with the redirect URI as configured', async () => {
    const { server } = await start({ redirect: { host: 'localhost', path: '/oauth/cb' } })
    expect(server.redirectUri).toBe(`http://localhost:${server.port}/oauth/cb`)
    for (const path of [callback({ code: 'c', state: STATE }), '/oauth/cb/', '/oauth', '/OAUTH/cb']) expect((await hit(server.port, path)).status, path).toBe(404)
    expect((await hit(server.port, `/oauth/cb?${new URLSearchParams({ code: 'the-code', state: STATE })}`, { host: `localhost:${server.port}` })).status).toBe(200)
    expect(await server.result).toBe('the-code')
  })

  it('localhost listens on 127.0.0.1 and ::1 (a browser may resolve either), never on another address', async () => {
    const { server } = await start({ redirect: { host: 'localhost', path: '/callback' } })
    expect((await hit(server.port, '/elsewhere', { address: '::1', host: `localhost:${server.port}` })).status).toBe(404)
    expect((await hit(server.port, callback({ code: 'v6', state: STATE }), { address: '::1', host: `[::1]:${server.port}` })).status).toBe(200)
    expect(await server.result).toBe('v6')
    await server.close()
    expect(await refused(server.port, '::1')).toBe(true)
    expect(await refused(server.port, '127.0.0.1')).toBe(true)
  })

  it('[::1] listens on ::1 only; 127.0.0.1 stays closed', async () => {
    const { server } = await start({ redirect: { host: '[::1]', path: '/callback' } })
    expect(server.redirectUri).toBe(`http://[::1]:${server.port}/callback`)
    expect(await refused(server.port, '127.0.0.1')).toBe(true)
    expect((await hit(server.port, callback({ code: 'c6', state: STATE }), { address: '::1', host: `[::1]:${server.port}` })).status).toBe(200)
  })

  it('answers 404 on any other path, and the login continues', async () => {
    const { server, handled } = await start()
    for (const path of ['/', '/favicon.ico', '/callback/', '/callbackx?state=x', `/other${callback({ code: 'c', state: STATE })}`, `//evil.example.test${callback({ code: 'c', state: STATE })}`]) {
      const answer = await hit(server.port, path)
      expect(answer.status, path).toBe(404)
    }
    // The code flow's callback is a GET: a POST is refused before the flow sees it.
    expect((await hit(server.port, callback({ code: 'c', state: STATE }), { method: 'POST' })).status).toBe(400)
    expect(handled).toHaveLength(0)
    expect(await pending(server.result)).toBe(true)
    expect((await hit(server.port, callback({ code: 'the-code', state: STATE }))).status).toBe(200)
    await expect(server.result).resolves.toBe('the-code')
  })

  it('ignores a callback with another state or none, and the login continues', async () => {
    const { server } = await start()
    const wrong = await hit(server.port, callback({ code: 'forged', state: 'other-state' }))
    expect(wrong.status).toBe(400)
    expect(wrong.body).toContain('its state does not match the login in progress')
    expect((await hit(server.port, callback({ code: 'forged' }))).status).toBe(400)
    // Not even an error with another state ends the login: it may be forged.
    expect((await hit(server.port, callback({ error: 'access_denied', state: 'other-state' }))).status).toBe(400)
    expect(await pending(server.result)).toBe(true)
    const right = await hit(server.port, callback({ code: 'the-code', state: STATE }))
    expect(right.status).toBe(200)
    expect(right.body).toContain('Logged in')
    await expect(server.result).resolves.toBe('the-code')
  })

  it('rejects a Host other than 127.0.0.1:PORT or localhost:PORT (DNS rebinding)', async () => {
    const { server, handled } = await start()
    for (const host of ['evil.example.test', `evil.example.test:${server.port}`, '127.0.0.1', `127.0.0.1:${server.port + 1}`, `0.0.0.0:${server.port}`]) {
      const answer = await hit(server.port, callback({ code: 'the-code', state: STATE }), { host })
      expect(answer.status, host).toBe(400)
      expect(answer.body).toContain('this server answers only to 127.0.0.1, [::1] and localhost')
    }
    expect(handled).toHaveLength(0)
    expect(await pending(server.result)).toBe(true)
    expect((await hit(server.port, callback({ code: 'the-code', state: STATE }), { host: `localhost:${server.port}` })).status).toBe(200)
    await expect(server.result).resolves.toBe('the-code')
  })

  it('ends the login on an error response for this state, with the error escaped on the page', async () => {
    const { server } = await start()
    const answer = await hit(server.port, callback({ error: 'access_denied', error_description: '<script>alert("x")</script> & more', state: STATE }))
    expect(answer.status).toBe(400)
    expect(answer.body).toContain('Login failed')
    expect(answer.body).toContain('access_denied: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more')
    expect(answer.body).not.toContain('<script>')
    expect(answer.headers['content-security-policy']).toContain("default-src 'none'")
    expect(answer.headers['cache-control']).toBe('no-store')
    const error = await server.result.then(() => undefined, (err: unknown) => err)
    expect(error).toBeInstanceOf(OAuthError)
    expect(error).toMatchObject({ error: 'access_denied', exitCode: 4 })
  })

  it('refuses an iss other than the issuer (RFC 9207)', async () => {
    const { server } = await start()
    const answer = await hit(server.port, callback({ code: 'the-code', state: STATE, iss: 'https://attacker.example.test' }))
    expect(answer.status).toBe(400)
    await expect(server.result).rejects.toThrow(/iss/)
  })

  it('answers a second request after completion without changing the result', async () => {
    const { server, handled } = await start()
    expect((await hit(server.port, callback({ code: 'first', state: STATE }))).status).toBe(200)
    await expect(server.result).resolves.toBe('first')
    const again = await hit(server.port, callback({ code: 'second', state: STATE }))
    expect(again.status).toBe(409)
    expect(again.body).toContain('already received its response')
    expect((await hit(server.port, callback({ error: 'access_denied', state: STATE }))).status).toBe(409)
    expect(handled).toHaveLength(1)
    await expect(server.result).resolves.toBe('first')
  })

  it('shows the outcome of the exchange: a failed exchange is an error page and a failed login', async () => {
    const { server } = await start({
      proceed: async () => {
        throw new OAuthError('invalid_grant', 'code <expired>', 400)
      },
    })
    const answer = await hit(server.port, callback({ code: 'the-code', state: STATE }))
    expect(answer.status).toBe(400)
    expect(answer.body).toContain('invalid_grant: code &lt;expired&gt;')
    await expect(server.result).rejects.toMatchObject({ error: 'invalid_grant' })
  })

  it('times out within its bound, and close() frees the port', async () => {
    const controller = new AbortController()
    const timeout = new CliError('auth_required', 'timed out', { code: 'login_timeout' })
    setTimeout(() => controller.abort(timeout), 100)
    const { server } = await start({ signal: controller.signal })
    const started = performance.now()
    await expect(server.result).rejects.toBe(timeout)
    expect(performance.now() - started).toBeLessThan(1000)
    // A late callback after the timeout does not revive the login.
    expect((await hit(server.port, callback({ code: 'late', state: STATE }))).status).toBe(409)
    await server.close()
    expect(await refused(server.port)).toBe(true)
  })

  it('reports the abort on the page when it comes while the code is being exchanged', async () => {
    const controller = new AbortController()
    const interrupted = new CliError('interrupted', 'the login was interrupted; nothing was stored')
    const { server } = await start({
      signal: controller.signal,
      proceed: async (code) => {
        controller.abort(interrupted)
        return code
      },
    })
    const answer = await hit(server.port, callback({ code: 'the-code', state: STATE }))
    expect(answer.body).toContain('the login was interrupted')
    await expect(server.result).rejects.toBe(interrupted)
  })

  it('fails fast, naming the port, when the port is taken', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const { port } = blocker.address() as { port: number }
    try {
      await expect(start({ port })).rejects.toMatchObject({ code: 'port_in_use', exitCode: 2, message: `port ${port} on 127.0.0.1 is already in use` })
    } finally {
      await new Promise((resolve) => blocker.close(resolve))
    }
  })

  it('close() ends connections that never sent a request at once (browsers open spare ones)', async () => {
    const { server } = await start()
    const socket = connect({ port: server.port, host: '127.0.0.1' })
    await new Promise((resolve) => socket.once('connect', resolve))
    const started = performance.now()
    await server.close()
    expect(performance.now() - started).toBeLessThan(500)
    socket.destroy()
    expect(await refused(server.port)).toBe(true)
  })

  describe('fragment mode (implicit flow)', () => {
    it('serves a relay page whose only script is pinned by the CSP', async () => {
      const { server, handled } = await start({ mode: 'fragment' })
      const page = await hit(server.port, '/callback')
      expect(page.status).toBe(200)
      const script = /<script>([\s\S]*)<\/script>/.exec(page.body)?.[1] ?? ''
      expect(script).toContain('location.hash')
      const hash = createHash('sha256').update(script).digest('base64')
      expect(page.headers['content-security-policy']).toContain(`script-src 'sha256-${hash}'`)
      expect(page.headers['content-security-policy']).toContain("connect-src 'self'")
      expect(handled).toHaveLength(0)
    })

    it('accepts the fragment posted from its own origin only', async () => {
      const { server, handled } = await start({ mode: 'fragment' })
      const form = { 'content-type': 'application/x-www-form-urlencoded' }
      const body = new URLSearchParams({ code: 'the-code', state: STATE }).toString()
      expect((await hit(server.port, '/callback', { method: 'POST', headers: form, body })).status).toBe(400)
      expect((await hit(server.port, '/callback', { method: 'POST', headers: { ...form, origin: 'https://evil.example.test' }, body })).status).toBe(400)
      expect((await hit(server.port, '/callback', { method: 'POST', headers: { origin: `http://127.0.0.1:${server.port}` }, body })).body).toContain('was not one')
      expect(handled).toHaveLength(0)
      const answer = await hit(server.port, '/callback', { method: 'POST', headers: { ...form, origin: `http://127.0.0.1:${server.port}` }, body })
      expect(answer.status).toBe(200)
      await expect(server.result).resolves.toBe('the-code')
    })
  })
})
