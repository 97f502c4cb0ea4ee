import type { z } from 'zod'
import { badResponse, CliError, networkError, OAuthError } from '../errors.js'
import { redactText } from '../redact.js'
import type { HttpResponse } from './client.js'

const describe = (res: HttpResponse) => `status ${res.status}, ${res.contentType.split(';')[0] || 'no content type'}`

const looksLikeHtml = (res: HttpResponse) =>
  res.contentType.includes('html') || /^\s*<(!doctype|html|head|body)/i.test(res.body.subarray(0, 256).toString('utf8'))

/** The body as JSON, or a clear bad-response error (HTML page, malformed or empty body). */
export function readJson(res: HttpResponse, what: string): unknown {
  if (looksLikeHtml(res)) throw badResponse(`${what} returned HTML (${describe(res)})`, { code: 'html_response', httpStatus: res.status })
  try {
    return JSON.parse(res.text())
  } catch {
    throw badResponse(`${what} returned malformed JSON (${describe(res)})`, { code: 'malformed_json', httpStatus: res.status })
  }
}

/** Validate a 2xx JSON body against its schema; the error names the first field that is wrong. */
export function parseJson<S extends z.ZodType>(res: HttpResponse, schema: S, what: string): z.infer<S> {
  const result = schema.safeParse(readJson(res, what))
  if (!result.success) throw unexpectedResponse(res, result.error, what)
  return result.data
}

/**
 * parseJson for a schema with no transforms, where the JSON as sent is the value: checked by zod's
 * `validate`, which builds no parsed copy. A listing of 10,000 clients keeps the server's objects
 * (their unnamed keys too) instead of allocating a second set. The error is parseJson's.
 */
export function checkJson<S extends z.ZodType>(res: HttpResponse, schema: S, what: string): z.input<S> {
  const sent = readJson(res, what)
  if (schema.validate(sent)) return sent
  const result = schema.safeParse(sent)
  if (!result.success) throw unexpectedResponse(res, result.error, what)
  return sent as z.input<S>
}

function unexpectedResponse(res: HttpResponse, error: z.ZodError, what: string) {
  const issue = error.issues[0]
  const field = issue?.path.length ? issue.path.join('.') : 'body'
  return badResponse(`${what} returned an unexpected response: ${field}: ${issue?.message ?? 'invalid'} (${describe(res)})`, {
    code: 'unexpected_response',
    httpStatus: res.status,
  })
}

/** Reads an error body into `{error, description}` when it has a recognised shape. */
export type ErrorBodyReader = (body: unknown) => { error: string; description?: string } | undefined

/** RFC 6749 §5.2 `{error, error_description}`. Vendor modules add readers for their own shapes. */
export const oauthErrorBody: ErrorBodyReader = (body) => {
  const b = body as { error?: unknown; error_description?: unknown }
  if (typeof b?.error !== 'string') return undefined
  return { error: b.error, description: typeof b.error_description === 'string' ? b.error_description : undefined }
}

/**
 * Turn a non-2xx response into the error it stands for: a 4xx is the server refusing (exit 4),
 * a 5xx or 429 still failing after retries is a network-class failure (exit 5).
 */
export function errorFromResponse(res: HttpResponse, what: string, readers: ErrorBodyReader[] = [oauthErrorBody]): CliError {
  let parsed: { error: string; description?: string } | undefined
  if (!looksLikeHtml(res)) {
    try {
      const body: unknown = JSON.parse(res.text())
      for (const reader of readers) {
        parsed = reader(body)
        if (parsed) break
      }
    } catch {
      // not JSON: described by status and content type below
    }
  }
  if (res.status >= 500 || res.status === 429) {
    const detail = parsed ? `: ${parsed.error}` : ''
    return networkError(`${what} failed (${describe(res)})${detail}`, { code: `http_${res.status}`, httpStatus: res.status })
  }
  if (parsed) return new OAuthError(parsed.error, parsed.description && redactText(parsed.description), res.status)
  if (res.status >= 400) {
    return new CliError('server_refused', `${what} refused the request (${describe(res)})`, { code: `http_${res.status}`, httpStatus: res.status })
  }
  return badResponse(`${what} answered with an unexpected status (${describe(res)})`, { httpStatus: res.status })
}
