import { readFileSync } from 'node:fs'
import { rootCertificates } from 'node:tls'
import type { Dispatcher } from 'undici'
import { badResponse, CliError, type ExternalCode, networkError, usageError } from '../errors.js'
import { during, NO_PROGRESS, type Progress } from '../output/progress.js'
import { redactBody, redactHeaders, redactText, redactUrl, registerRequestSecrets } from '../redact.js'
import { proxyRoute } from './proxy.js'
import { retryDelayMs } from './retry.js'
import { type TraceSink, verboseTrace } from './trace.js'

export const MAX_BODY_BYTES = 1024 * 1024

export interface HttpClientOptions {
  connectTimeoutMs?: number
  /** Per attempt: from sending the request to the last byte of the body. */
  requestTimeoutMs?: number
  maxAttempts?: number
  retryBaseMs?: number
  /** A Retry-After longer than this is not waited for: the request fails instead. */
  maxRetryWaitMs?: number
  maxBodyBytes?: number
  insecure?: boolean
  caFile?: string
  /** PEM files of a client certificate and its key, presented to servers that ask for one (mutual TLS, RFC 8705). */
  clientCertificate?: ClientCertificateFiles
  /** The command's trace sink (`-v`, `--explain`); a function receives the `-v` lines. Everything it gets is redacted. */
  trace?: TraceSink | ((line: string) => void)
  /** Where a wait before a retry shows, with its reason and attempt. */
  progress?: Progress
  /** Tests pass an undici MockAgent here. */
  dispatcher?: Dispatcher
  sleep?: (ms: number) => Promise<void>
  random?: () => number
}

export interface ClientCertificateFiles {
  cert: string
  key: string
}

/** `safe`: may be repeated after a failure (idempotent, or a token request); `auto`: by method. */
export type RetryPolicy = 'safe' | 'never' | 'auto'

export interface HttpRequest {
  method: string
  url: string | URL
  headers?: Record<string, string>
  body?: string
  retry?: RetryPolicy
  /** What is being called, for messages: "token endpoint", "discovery". */
  what?: string
  /** What the request is for, for traces: "Token request (client_credentials, client_secret_basic)"; default `what`. */
  purpose?: string
  /** Extra headers to keep per attempt (e.g. an idempotency key): part of `headers` already. */
  signal?: AbortSignal
}

export interface HttpResponse {
  status: number
  headers: Record<string, string>
  body: Buffer
  url: string
  contentType: string
  text(): string
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])
const RETRY_STATUSES = new Set([429, 500, 502, 503, 504])
const RETRY_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  'timeout',
])
const TLS_CODES = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304])

/**
 * The one HTTP layer: a keep-alive undici dispatcher per command run (honouring HTTP(S)_PROXY and
 * NO_PROXY), timeouts, retries with backoff and jitter that honour Retry-After, a response size
 * cap, typed errors and a redacted trace. undici is loaded on the first request, not before.
 */
export class HttpClient {
  private readonly options: Required<Omit<HttpClientOptions, 'trace' | 'dispatcher' | 'caFile' | 'clientCertificate'>> &
    Pick<HttpClientOptions, 'dispatcher' | 'caFile' | 'clientCertificate'> & { trace?: TraceSink }
  /** By proxy URL, and `direct`: as proxyRoute says (loopback targets never go through a proxy). */
  private readonly dispatchers = new Map<string, Promise<Dispatcher>>()
  private requestCount = 0
  private readonly rawByResponse = new WeakMap<Response, HttpResponse>()
  /** Clients that present a certificate, by certificate: they share this one's settings and are closed with it. */
  private readonly withCertificate = new Map<string, HttpClient>()

  constructor(options: HttpClientOptions = {}) {
    this.options = {
      connectTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      maxAttempts: 3,
      retryBaseMs: 250,
      maxRetryWaitMs: 30_000,
      maxBodyBytes: MAX_BODY_BYTES,
      insecure: false,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      random: Math.random,
      progress: NO_PROGRESS,
      ...options,
      trace: typeof options.trace === 'function' ? verboseTrace(options.trace) : options.trace,
    }
  }

  /**
   * The command's trace sink, when `-v` or `--explain` is on: flows report the steps that are not
   * requests, and the checks that passed, where the requests are traced.
   */
  get trace(): TraceSink | undefined {
    return this.options.trace
  }

  get insecure(): boolean {
    return this.options.insecure
  }

  /** Requests sent so far (attempts, not calls): lets callers prove a path made none. */
  get requestsSent(): number {
    return this.requestCount
  }

  /**
   * The same layer presenting a client certificate (RFC 8705). A separate client, because undici
   * fixes the TLS options of a dispatcher when it is created; it is closed with this one.
   */
  withClientCertificate(certificate: ClientCertificateFiles): HttpClient {
    const id = `${certificate.cert}\0${certificate.key}`
    let client = this.withCertificate.get(id)
    if (!client) {
      client = new HttpClient({ ...this.options, clientCertificate: certificate })
      this.withCertificate.set(id, client)
    }
    return client
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const method = req.method.toUpperCase()
    const policy = req.retry ?? 'auto'
    const retryable = policy === 'safe' || (policy === 'auto' && IDEMPOTENT.has(method))
    const what = req.what ?? new URL(req.url).host
    for (let attempt = 1; ; attempt++) {
      const last = !retryable || attempt >= this.options.maxAttempts
      let response: HttpResponse
      try {
        response = await this.send(method, req, what, attempt)
      } catch (err) {
        const failure = toNetworkError(err, what, this.options)
        if (last || !RETRY_CODES.has(failure.code)) throw failure
        await this.wait(retryDelayMs(attempt, undefined, this.options), what, failure.message, attempt + 1)
        continue
      }
      if (last || !RETRY_STATUSES.has(response.status)) return response
      // Retry-After (RFC 9110), else RateLimit-Reset (seconds; Persona and the IETF ratelimit-headers draft).
      const delay = retryDelayMs(attempt, response.headers['retry-after'] ?? response.headers['ratelimit-reset'], this.options)
      if (delay > this.options.maxRetryWaitMs) return response
      await this.wait(delay, what, `status ${response.status}`, attempt + 1)
    }
  }

  /**
   * A WHATWG fetch over this layer, for oauth4webapi's `customFetch`. Token, discovery and similar
   * endpoints are safe to repeat; a registration is not (`fetcher({ retry: 'never' })`).
   */
  readonly fetch = this.fetcher({ retry: 'safe' })

  /** `fetch` whose requests the trace names by `purpose` ("Token request (refresh_token, none)"). */
  fetchFor(purpose: string): (url: string, init?: RequestInit) => Promise<Response> {
    return this.fetcher({ retry: 'safe', purpose })
  }

  /** A WHATWG fetch over this layer with the retry policy, the message name (`what`) and the trace's purpose given. */
  fetcher(options: Pick<HttpRequest, 'retry' | 'what' | 'purpose'>): (url: string, init?: RequestInit) => Promise<Response> {
    return (url, init = {}) => this.fetchResponse(url, init, options)
  }

  private async fetchResponse(url: string, init: RequestInit, options: Pick<HttpRequest, 'retry' | 'what' | 'purpose'>): Promise<Response> {
    const headers: Record<string, string> = {}
    new Headers(init.headers).forEach((value, key) => {
      headers[key] = value
    })
    const body = init.body === undefined || init.body === null ? undefined : String(init.body)
    const res = await this.request({ method: init.method ?? 'GET', url, headers, body, ...options, signal: init.signal ?? undefined })
    const responseBody = NULL_BODY_STATUSES.has(res.status) ? null : new Uint8Array(res.body)
    const response = new Response(responseBody, { status: res.status, headers: res.headers })
    Object.defineProperty(response, 'url', { value: res.url })
    this.rawByResponse.set(response, res)
    return response
  }

  /** The buffered response behind a Response that `fetch` returned, for status and content checks. */
  rawResponse(response: Response): HttpResponse | undefined {
    return this.rawByResponse.get(response)
  }

  /**
   * Close every socket. Safe to call twice; a later request opens a new dispatcher. Destroyed, not
   * closed: a request abandoned at its timeout (a proxy that never answers a CONNECT) would keep a
   * graceful close, and the process, waiting.
   */
  async close(): Promise<void> {
    await Promise.all([...this.withCertificate.values()].map((client) => client.close()))
    if (this.options.dispatcher) return
    const pending = [...this.dispatchers.values()]
    this.dispatchers.clear()
    // One that could not be created (an unreadable CA file) failed its request already: nothing to close.
    await Promise.all(pending.map(async (dispatcher) => (await dispatcher.catch(() => undefined))?.destroy()))
  }

  private async wait(ms: number, what: string, reason: string, next: number): Promise<void> {
    this.options.trace?.retry(what, ms, reason)
    const text = `${reason}; attempt ${next} of ${this.options.maxAttempts}`
    await during(this.options.progress, `retrying ${what}`, () => this.options.sleep(ms), { text, timeLeftMs: ms })
  }

  /**
   * Through the proxy that HTTP(S)_PROXY and NO_PROXY name for this URL (proxyRoute, which `doctor`
   * describes). Loopback targets (the sandbox, a local server, a login's own callback server) are
   * always reached directly: a proxy has no business seeing that traffic, which may be plain http
   * carrying credentials.
   */
  private dispatcher(url: URL): Promise<Dispatcher> {
    const route = proxyRoute(url, process.env)
    const proxy = route.via === 'proxy' ? route.proxy.href : undefined
    const key = proxy ?? 'direct'
    let dispatcher = this.dispatchers.get(key)
    if (!dispatcher) {
      dispatcher = this.createDispatcher(proxy)
      this.dispatchers.set(key, dispatcher)
    }
    return dispatcher
  }

  private async createDispatcher(proxy: string | undefined): Promise<Dispatcher> {
    if (this.options.dispatcher) return this.options.dispatcher
    const { Agent, ProxyAgent } = await import('undici')
    const tls: Record<string, unknown> = {}
    if (this.options.insecure) tls.rejectUnauthorized = false
    if (this.options.caFile) tls.ca = trustedCertificates(this.options.caFile)
    if (this.options.clientCertificate) Object.assign(tls, clientCertificate(this.options.clientCertificate))
    const options = {
      connect: { timeout: this.options.connectTimeoutMs, ...tls },
      headersTimeout: this.options.requestTimeoutMs,
      bodyTimeout: this.options.requestTimeoutMs,
      keepAliveTimeout: 10_000,
    }
    // Through an HTTPS_PROXY tunnel the server's TLS is set up from requestTls, not connect.
    return proxy ? new ProxyAgent({ ...options, uri: proxy, requestTls: tls }) : new Agent(options)
  }

  private async send(method: string, req: HttpRequest, what: string, attempt: number): Promise<HttpResponse> {
    const url = new URL(req.url)
    const dispatcher = await this.dispatcher(url)
    const started = performance.now()
    this.requestCount++
    registerRequestSecrets(req.headers ?? {}, req.body)
    this.traceRequest(method, url, req, attempt)
    const timeout = AbortSignal.timeout(this.options.requestTimeoutMs)
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout
    const { res, headers, body } = await withinSignal(signal, async () => {
      const res = await dispatcher.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: method as Dispatcher.HttpMethod,
        headers: { 'user-agent': 'oauthctl', ...req.headers },
        body: req.body,
        signal,
      })
      const headers = flattenHeaders(res.headers)
      return { res, headers, body: await readCapped(res.body, headers['content-length'], this.options.maxBodyBytes, what, res.statusCode) }
    })
    const response: HttpResponse = {
      status: res.statusCode,
      headers,
      body,
      url: url.toString(),
      contentType: headers['content-type'] ?? '',
      text: () => body.toString('utf8'),
    }
    this.traceResponse(response, performance.now() - started)
    return response
  }

  /** The one place a request is redacted for a trace, whichever way the sink renders it. */
  private traceRequest(method: string, url: URL, req: HttpRequest, attempt: number): void {
    const trace = this.options.trace
    if (!trace) return
    const contentType = Object.entries(req.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1]
    trace.request({
      method,
      url: redactUrl(url),
      headers: redactHeaders(req.headers ?? {}),
      body: req.body ? truncate(redactBody(req.body, contentType)) : undefined,
      contentType,
      purpose: req.purpose && redactText(req.purpose),
      what: req.what && redactText(req.what),
      attempt,
    })
  }

  private traceResponse(res: HttpResponse, elapsedMs: number): void {
    this.options.trace?.response({
      status: res.status,
      headers: redactHeaders(res.headers),
      body: res.body.length > 0 ? truncate(redactBody(res.text(), res.contentType)) : undefined,
      contentType: res.contentType,
      elapsedMs,
    })
  }
}

/**
 * `work`, or the signal's reason once it aborts, whichever comes first. undici does not pass a
 * request's signal to a proxy's CONNECT, so a proxy that accepts and never answers would otherwise
 * outlast every timeout; the abandoned socket is destroyed when the client closes.
 */
async function withinSignal<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  signal.throwIfAborted()
  let onAbort: (() => void) | undefined
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
  })
  const running = work()
  running.catch(() => undefined) // an abandoned request fails later, when its socket is destroyed: not an unhandled rejection
  try {
    return await Promise.race([running, aborted])
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort)
  }
}

const TRACE_BODY_LIMIT = 4096
const truncate = (text: string) =>
  text.length > TRACE_BODY_LIMIT ? `${text.slice(0, TRACE_BODY_LIMIT)}… (${text.length} characters)` : text

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v
  return out
}

async function readCapped(
  body: AsyncIterable<Buffer> & { destroy(err?: Error): unknown },
  contentLength: string | undefined,
  max: number,
  what: string,
  status: number,
): Promise<Buffer> {
  const tooLarge = () => badResponse(`${what} sent a response larger than ${max / 1024} KiB (status ${status})`, { code: 'response_too_large', httpStatus: status })
  if (contentLength && Number(contentLength) > max) {
    body.destroy()
    throw tooLarge()
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    size += chunk.length
    if (size > max) {
      body.destroy()
      throw tooLarge()
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

function trustedCertificates(caFile: string): string[] {
  const extra = [caFile, process.env.NODE_EXTRA_CA_CERTS].filter((f): f is string => Boolean(f))
  try {
    // Setting `ca` replaces Node's defaults, so the bundled roots go back in.
    return [...rootCertificates, ...extra.map((f) => readFileSync(f, 'utf8'))]
  } catch (err) {
    throw usageError(`cannot read CA file ${caFile}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`, { code: 'ca_file' })
  }
}

function clientCertificate(files: ClientCertificateFiles): { cert: string; key: string } {
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path, 'utf8')
    } catch (err) {
      throw usageError(`cannot read the client ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`, { code: 'client_certificate' })
    }
  }
  return { cert: read(files.cert, 'certificate'), key: read(files.key, 'key') }
}

function errorCode(err: unknown): string {
  let current: unknown = err
  // undici wraps the socket error in `cause`; the innermost code names it best.
  for (let depth = 0; current && depth < 4; depth++) {
    const e = current as { code?: unknown; name?: unknown; cause?: unknown }
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timeout'
    if (typeof e.code === 'string' && e.code !== 'UND_ERR_ABORTED' && !(e.cause && typeof (e.cause as { code?: unknown }).code === 'string')) {
      return e.code
    }
    current = e.cause
  }
  return 'network_error'
}

function toNetworkError(err: unknown, what: string, options: { requestTimeoutMs: number; connectTimeoutMs: number }): CliError {
  if (err instanceof CliError) return err
  const code = errorCode(err)
  if (code === 'timeout' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return networkError(`${what} did not answer within ${options.requestTimeoutMs / 1000} s`, { code: 'timeout', cause: err })
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return networkError(`could not connect to ${what} within ${options.connectTimeoutMs / 1000} s`, { code: 'timeout', cause: err })
  }
  if (TLS_CODES.test(code)) {
    return networkError(`TLS verification failed for ${what} (${code})`, {
      code: 'tls',
      hint: 'trust the server certificate with --ca-file PATH (or NODE_EXTRA_CA_CERTS); --insecure skips verification',
      cause: err,
    })
  }
  const reason: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'DNS lookup failed',
    UND_ERR_SOCKET: 'connection closed by the server',
    EPIPE: 'connection closed by the server',
  }
  return networkError(`cannot reach ${what}: ${reason[code] ?? code}`, { code: code as ExternalCode, cause: err })
}
