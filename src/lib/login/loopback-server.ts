import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { type AddressInfo, createServer as createNetServer, type Server as NetServer } from 'node:net'
import { CliError, usageError } from '../errors.js'
import { redactText } from '../redact.js'
import * as pages from './pages.js'
import { DEFAULT_REDIRECT, type RedirectTarget, redirectUriOf } from './redirect-uri.js'

const MAX_FORM_BYTES = 64 * 1024
/** How long a closing server lets the last page reach the browser before cutting connections. */
const CLOSE_GRACE_MS = 1000

/**
 * What the flow makes of one callback. `ignore`: not for this login (another state, a stale tab):
 * answered, and the login keeps waiting. `fail`: this login's answer, and a refusal
 * (`access_denied`, a mix-up): the login ends with that error. `proceed`: this login's answer; the
 * browser sees the outcome of `proceed` (e.g. the code exchange), so its page tells the truth.
 */
export type CallbackVerdict<T> = { ignore: string } | { fail: unknown } | { proceed: () => Promise<T> }

export interface LoopbackOptions<T> {
  /** Host, port (absent: any free one) and the one path answered (RFC 8252 §7.3); default 127.0.0.1, any port, /callback. */
  redirect?: RedirectTarget
  /**
   * `query`: the parameters arrive in the callback's query (code flow). `fragment`: they arrive in
   * the URL fragment, which browsers keep to themselves, so a relay page posts them back (implicit).
   */
  mode: 'query' | 'fragment'
  /** Ends the wait: timeout, Ctrl-C. `result` rejects with the signal's reason. */
  signal: AbortSignal
  handle: (params: URLSearchParams, redirectUri: string) => CallbackVerdict<T>
}

export interface LoopbackServer<T> {
  readonly port: number
  readonly redirectUri: string
  /** The first callback the flow accepted (or refused), or the abort. */
  readonly result: Promise<T>
  /** Stop listening and end every connection; safe to call more than once. */
  close(): Promise<void>
}

/**
 * The one-shot HTTP server a browser login redirects to, on loopback only: 127.0.0.1, ::1, or for
 * `localhost` both (a browser may resolve it either way; ::1 is skipped where the machine has no
 * IPv6). It answers only to a loopback Host with its port (a DNS-rebinding page cannot reach it by
 * another name), on the redirect's path only, and settles once: later callbacks get a "finished" page.
 */
export async function startLoopbackServer<T>(options: LoopbackOptions<T>): Promise<LoopbackServer<T>> {
  options.signal.throwIfAborted()
  const redirect = options.redirect ?? DEFAULT_REDIRECT
  const server = createServer()
  const { port, extra } = await listenLoopback(server, redirect)
  const redirectUri = redirectUriOf(redirect, port)
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`])
  const origins = new Set([...hosts].map((host) => `http://${host}`))

  let phase: 'waiting' | 'completing' | 'settled' = 'waiting'
  let failure: unknown
  let resolveResult!: (value: T) => void
  let rejectResult!: (reason: unknown) => void
  const result = new Promise<T>((resolve, reject) => {
    resolveResult = resolve
    rejectResult = reject
  })
  // The flow awaits `result` only after the browser is opened; an abort before then must not
  // count as an unhandled rejection. Awaiters still receive the rejection.
  result.catch(() => undefined)

  const settle = (outcome: { value: T } | { error: unknown }) => {
    if (phase === 'settled') return
    phase = 'settled'
    options.signal.removeEventListener('abort', onAbort)
    if ('value' in outcome) resolveResult(outcome.value)
    else {
      failure = outcome.error
      rejectResult(outcome.error)
    }
  }
  const onAbort = () => settle({ error: options.signal.reason })
  options.signal.addEventListener('abort', onAbort, { once: true })
  // Aborted while the port was being opened: the listener above came too late to hear it.
  if (options.signal.aborted) onAbort()

  const decide = (params: URLSearchParams, res: ServerResponse) => {
    let verdict: CallbackVerdict<T>
    try {
      verdict = options.handle(params, redirectUri)
    } catch (err) {
      verdict = { fail: err }
    }
    if ('ignore' in verdict) return send(res, pages.ignoredPage(verdict.ignore))
    if ('fail' in verdict) {
      send(res, pages.failurePage(describe(verdict.fail)))
      return settle({ error: verdict.fail })
    }
    phase = 'completing'
    const { proceed } = verdict
    // Through a promise, so that even a synchronous throw ends the login instead of stalling it.
    Promise.resolve().then(proceed).then(
      (value) => {
        // Aborted meanwhile (timeout, Ctrl-C): the terminal reports that, so the page must too.
        send(res, phase === 'settled' ? pages.failurePage(describe(failure)) : pages.successPage())
        settle({ value })
      },
      (err: unknown) => {
        send(res, pages.failurePage(describe(phase === 'settled' ? failure : err)))
        settle({ error: err })
      },
    )
  }

  const respond = async (req: IncomingMessage, res: ServerResponse) => {
    const host = (req.headers.host ?? '').toLowerCase()
    if (!hosts.has(host)) return send(res, pages.refusedPage('this server answers only to 127.0.0.1, [::1] and localhost'))
    const target = req.url ?? ''
    // Origin-form targets only ("/callback?…"); "//host/…" and absolute URLs are not for us.
    const url = target.startsWith('/') && !target.startsWith('//') ? new URL(target, `http://${host}`) : undefined
    if (url?.pathname !== redirect.path) return send(res, pages.notFoundPage(redirect.path))
    if (phase !== 'waiting') return send(res, pages.finishedPage())
    if (options.mode === 'fragment' && req.method === 'GET') return send(res, pages.relayPage())
    if (req.method !== (options.mode === 'query' ? 'GET' : 'POST')) return send(res, pages.refusedPage(`oauthctl did not expect a ${req.method} request here`))
    let params = url.searchParams
    if (req.method === 'POST') {
      // Only the relay page, served from this origin, posts here.
      if (!origins.has(req.headers.origin ?? '')) return send(res, pages.refusedPage('only the callback page may post here'))
      const form = await readForm(req)
      if (form === undefined) return send(res, pages.refusedPage('the callback page posts a small form, and this was not one'))
      params = new URLSearchParams(form)
      // Another callback may have been accepted while this body was arriving.
      if (phase !== 'waiting') return send(res, pages.finishedPage())
    }
    decide(params, res)
  }

  let answering = 0
  let onAnswered: (() => void) | undefined
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    answering++
    res.once('close', () => {
      if (--answering === 0) onAnswered?.()
    })
    respond(req, res).catch(() => {
      // A connection that broke mid-request: nothing to answer, and nothing the login depends on.
      res.destroy()
    })
  })

  let closing: Promise<void> | undefined
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      options.signal.removeEventListener('abort', onAbort)
      extra?.close()
      server.close(() => resolve())
      // Connections with no request (browsers open spare ones) go at once; a page still being
      // written gets a moment to reach the browser.
      const cut = () => {
        clearTimeout(timer)
        server.closeAllConnections()
      }
      const timer = setTimeout(cut, CLOSE_GRACE_MS)
      if (answering === 0) cut()
      else onAnswered = cut
    })
    return closing
  }

  return { port, redirectUri, result, close }
}

/**
 * Listen on the redirect's loopback address(es), never 0.0.0.0 (RFC 8252 §8.3). For localhost a
 * second listener on ::1 hands its connections to the same server; with a free port, one that is
 * taken on ::1 is traded for another.
 */
async function listenLoopback(server: Server, redirect: RedirectTarget): Promise<{ port: number; extra?: NetServer }> {
  if (redirect.host !== 'localhost') {
    await listen(server, redirect.host === '[::1]' ? '::1' : '127.0.0.1', redirect.port ?? 0)
    return { port: (server.address() as AddressInfo).port }
  }
  for (let attempt = 0; ; attempt++) {
    await listen(server, '127.0.0.1', redirect.port ?? 0)
    const port = (server.address() as AddressInfo).port
    const extra = createNetServer((socket) => server.emit('connection', socket))
    try {
      await listen(extra, '::1', port)
      return { port, extra }
    } catch (err) {
      const code = ((err as CliError).cause as NodeJS.ErrnoException | undefined)?.code ?? (err as NodeJS.ErrnoException).code
      // No IPv6 here: browsers cannot reach ::1 either.
      if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') return { port }
      if (redirect.port !== undefined || attempt >= 4) throw err
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

function listen(server: Server | NetServer, host: string, port: number): Promise<void> {
  const where = host === '::1' ? `[::1]` : host
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(usageError(`port ${port} on ${where} is already in use`, {
          code: 'port_in_use',
          hint: 'stop whatever listens there, or pass --port with another port (without --port or a profile redirectPort, any free port is used)',
          cause: err,
        }))
      } else if (err.code === 'EACCES') {
        reject(usageError(`not allowed to listen on port ${port} on ${where}`, { code: 'port_forbidden', hint: 'use a port above 1023', cause: err }))
      } else reject(err)
    })
    server.listen({ port, host }, () => resolve())
  })
}

/** The form body the relay page posts, size-capped; undefined when it is not a form. */
async function readForm(req: IncomingMessage): Promise<string | undefined> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return undefined
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_FORM_BYTES) return undefined
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** What the page says about a failure: our errors' messages (redacted), nothing about bugs. */
function describe(err: unknown): string {
  return err instanceof CliError && err.kind !== 'internal' ? redactText(err.message) : 'oauthctl hit an unexpected error; the terminal has the details.'
}

function send(res: ServerResponse, page: pages.Page): void {
  res.writeHead(page.status, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': page.csp,
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    // One request per connection: nothing lingers to keep the port open after the login.
    connection: 'close',
  })
  res.end(page.html)
}
