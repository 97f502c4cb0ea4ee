import type { z } from 'zod'
import { badResponse, type CliError, usageError, withHint } from '../errors.js'
import type { HttpClient, HttpResponse, RetryPolicy } from '../http/client.js'
import { checkJson, type ErrorBodyReader, errorFromResponse, parseJson } from '../http/response.js'
import { parseRetryAfter } from '../http/retry.js'
import { checkTransport } from '../http/transport.js'
import type { AdminContext, PlannedRequest } from './types.js'

/** A request to an admin API: what `--dry-run` shows, plus what it does not show. */
export interface ApiRequest extends PlannedRequest {
  /** Replaces the API's own Authorization for this request (an RFC 7592 registration access token). */
  authorization?: string
  headers?: Record<string, string>
  retry?: RetryPolicy
}

/** What `--dry-run` may show of a request: never its credentials. */
export const planned = ({ method, url, body }: ApiRequest): PlannedRequest => (body === undefined ? { method, url } : { method, url, body })

export interface AdminApiOptions {
  http: HttpClient
  /** Names the API in messages. */
  label: string
  /** Readers for the API's error bodies, tried in order. */
  readers: ErrorBodyReader[]
  /** The Authorization header value, fetched on first use (a token request, a password lookup). */
  authorization?: () => Promise<string>
  /** A hint for a refused request, e.g. which credentials to check on a 401. */
  hint?: (res: HttpResponse) => string | undefined
}

/**
 * One admin API at one base URL, over the one HTTP layer: JSON in and out, the API's
 * credentials, its error shapes, and messages that name the call.
 */
export class AdminApi {
  readonly base: URL

  constructor(
    base: string,
    private readonly options: AdminApiOptions,
  ) {
    checkTransport(base, options.http.insecure, options.label)
    this.base = new URL(base)
  }

  /** `path` (already encoded, see pathSegment) under the base URL's path, with query parameters. */
  url(path: string, query: Record<string, string | number | undefined> = {}): string {
    const url = new URL(`${this.base.pathname.replace(/\/$/, '')}${path}`, this.base.origin)
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value))
    return url.href
  }

  /**
   * A URI the server handed back (a next page, a results link), resolved against the base. It must
   * stay on the API's origin: our credentials go with it.
   */
  resolve(uri: string): string {
    const url = new URL(uri, this.base)
    if (url.origin !== this.base.origin) throw badResponse(`${this.options.label} pointed to another origin (${url.origin}); not following it`, { code: 'foreign_link' })
    return url.href
  }

  async send(req: ApiRequest): Promise<HttpResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers }
    const authorization = req.authorization ?? (await this.options.authorization?.())
    if (authorization) headers.authorization = authorization
    let body: string | undefined
    if (req.body !== undefined) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(req.body)
    }
    return this.options.http.request({ method: req.method, url: req.url, headers, body, retry: req.retry, what: this.describe(req) })
  }

  /** Send, then turn a non-2xx into its error and a 2xx into the schema's type. */
  async json<S extends z.ZodType>(req: ApiRequest, schema: S): Promise<z.infer<S>> {
    return this.parse(await this.send(req), req, schema)
  }

  parse<S extends z.ZodType>(res: HttpResponse, req: ApiRequest, schema: S): z.infer<S> {
    if (res.status < 200 || res.status >= 300) throw this.error(res, req)
    return parseJson(res, schema, this.describe(req))
  }

  /** parse for a schema with no transforms: the JSON as sent, checked (see checkJson). */
  check<S extends z.ZodType>(res: HttpResponse, req: ApiRequest, schema: S): z.input<S> {
    if (res.status < 200 || res.status >= 300) throw this.error(res, req)
    return checkJson(res, schema, this.describe(req))
  }

  /**
   * Send a DELETE (or any request that removes something): whether it was there. A 404 means it
   * was already gone; another non-2xx is its error; a body, when the API answers with one, is checked.
   */
  async remove(req: ApiRequest, schema?: z.ZodType): Promise<boolean> {
    const res = await this.send(req)
    if (res.status === 404) return false
    if (schema) this.parse(res, req, schema)
    else if (res.status < 200 || res.status >= 300) throw this.error(res, req)
    return true
  }

  /** The error a non-2xx response stands for, with the API's hint or the server's Retry-After. */
  error(res: HttpResponse, req: ApiRequest): CliError {
    return withHint(errorFromResponse(res, this.describe(req), this.options.readers), this.options.hint?.(res) ?? retryAfterHint(res))
  }

  /**
   * A WHATWG fetch for a request a library builds (oauth4webapi's RFC 7591 registration): the same
   * HTTP layer, retry policy and name in messages as `send` gives `req`; credentials are the library's.
   */
  fetcher(req: ApiRequest): (url: string, init?: RequestInit) => Promise<Response> {
    return this.options.http.fetcher({ retry: req.retry, what: this.describe(req) })
  }

  describe(req: ApiRequest): string {
    return `${this.options.label} (${req.method} ${new URL(req.url).pathname})`
  }
}

function retryAfterHint(res: HttpResponse): string | undefined {
  if (res.status !== 429) return undefined
  const ms = parseRetryAfter(res.headers['retry-after'], Date.now())
  return ms === undefined ? 'the server is rate limiting: try again later' : `the server asked to wait ${Math.ceil(ms / 1000)} s (Retry-After): try again then`
}

/**
 * A client (or scope) id as one URL path segment. `.` and `..` are refused: URL parsers resolve
 * them (even percent-encoded), which would send the request to another resource.
 */
export function pathSegment(id: string, what = 'client id'): string {
  if (id === '' || id === '.' || id === '..') throw usageError(`${what} ${JSON.stringify(id)} is not valid`, { code: 'bad_id' })
  // ":" and "@" are legal in a path segment (RFC 3986 pchar) and appear in ids such as Genesys scope ids.
  return encodeURIComponent(id).replaceAll('%3A', ':').replaceAll('%40', '@')
}

/** The Bearer credentials an admin API takes: the profile's own access token, fetched once per command run. */
export function profileBearer(ctx: AdminContext): () => Promise<string> {
  let pending: Promise<string> | undefined
  return () => (pending ??= ctx.accessToken().then((token) => `Bearer ${token}`))
}
