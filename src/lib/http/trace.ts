import { STATUS_CODES } from 'node:http'
import { sanitizeText } from '../output/sanitize.js'
import { redactText } from '../redact.js'

/** One request attempt as traces show it: URL, headers and body already redacted. */
export interface TracedRequest {
  method: string
  url: string
  headers: Record<string, string>
  body?: string
  contentType?: string
  /** What the request is for, as its caller named it: "Token request (client_credentials, client_secret_basic)". */
  purpose?: string
  /** How messages name the call ("token endpoint (client_credentials)"), when the caller gave no purpose. */
  what?: string
  /** 1 for the first attempt; a retry repeats the request's step. */
  attempt: number
}

/** One response as traces show it: headers and body already redacted. */
export interface TracedResponse {
  status: number
  headers: Record<string, string>
  body?: string
  contentType: string
  elapsedMs: number
}

/**
 * The per-command trace sink. The HTTP layer reports every request, response and retry (redacted
 * before they get here); flows add the steps that are not requests (a browser redirect, a cached
 * token) and the checks that passed. `-v` and `--explain` are two renderings of these events.
 */
export interface TraceSink {
  request(req: TracedRequest): void
  response(res: TracedResponse): void
  retry(what: string, ms: number, reason: string): void
  /** A step of the flow with no request of its own. Steps, checks and notes are redacted by the sink. */
  step(title: string): void
  /** A check that passed, under the step it belongs to. */
  check(text: string): void
  /** Something worth knowing that is not a check (a field the server did not send, a nonce challenge answered). */
  note(text: string): void
}

const statusLine = (status: number) => `${status} ${STATUS_CODES[status] ?? ''}`.trimEnd()

/** `-v`: curl-like `>` and `<` lines, every header, bodies as sent. */
export function verboseTrace(write: (line: string) => void): TraceSink {
  const out = (line: string) => write(sanitizeText(line))
  const say = (line: string) => out(redactText(line))
  return {
    request(req) {
      out(`> ${req.method} ${req.url}`)
      for (const [k, v] of Object.entries(req.headers)) out(`> ${k}: ${v}`)
      if (req.body) out(`> ${req.body}`)
    },
    response(res) {
      out(`< ${statusLine(res.status)} (${Math.round(res.elapsedMs)} ms)`)
      for (const [k, v] of Object.entries(res.headers)) out(`< ${k}: ${v}`)
      if (res.body) out(`< ${res.body}`)
    },
    retry: (what, ms, reason) => out(`* retrying ${what} in ${ms} ms (${reason})`),
    step: (title) => say(`* ${title}`),
    check: (text) => say(`* ok: ${text}`),
    note: (text) => say(`* ${text}`),
  }
}

/** Transport bookkeeping that teaches nothing about OAuth; `-v` shows it. */
const TRANSPORT_HEADERS = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'])

/**
 * `--explain`: each request as a numbered step saying what it is for, the request and response
 * (redacted as in `-v`, JSON indented, form fields one a line), the time it took, and the checks
 * that passed under it.
 */
export function explainTrace(write: (line: string) => void): TraceSink {
  let step = 0
  const out = (line: string) => write(sanitizeText(line))
  const say = (line: string) => out(redactText(line))
  const body = (text: string | undefined, contentType: string | undefined) => {
    if (!text) return
    for (const line of readable(text, contentType).split('\n')) out(`      ${line}`)
  }
  return {
    request(req) {
      if (req.attempt === 1) out(`${++step}. ${title(req)}`)
      out(`   → ${req.method} ${req.url}${req.attempt > 1 ? ` (attempt ${req.attempt})` : ''}`)
      for (const [k, v] of Object.entries(req.headers)) out(`      ${k}: ${v}`)
      body(req.body, req.contentType)
    },
    response(res) {
      out(`   ← ${statusLine(res.status)} in ${Math.round(res.elapsedMs)} ms`)
      for (const [k, v] of Object.entries(res.headers)) if (!TRANSPORT_HEADERS.has(k)) out(`      ${k}: ${v}`)
      body(res.body, res.contentType)
    },
    retry: (_what, ms, reason) => out(`   ↻ ${reason}: trying again in ${ms} ms`),
    step: (title) => say(`${++step}. ${title}`),
    check: (text) => say(`   ✓ ${text}`),
    note: (text) => say(`   · ${text}`),
  }
}

/** The step's title: the request's purpose, else how messages name the call (as a sentence), else where it goes. */
function title({ purpose, what, url }: TracedRequest): string {
  if (purpose) return purpose
  if (what) return `${what.charAt(0).toUpperCase()}${what.slice(1)}`
  return `Request to ${new URL(url).host}`
}

/** A redacted body for people: JSON indented, a form one field a line (decoded), anything else as it is. */
function readable(text: string, contentType = ''): string {
  const type = contentType.toLowerCase()
  const trimmed = text.trimStart()
  if (type.includes('json') || trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.stringify(JSON.parse(text), null, 2)
    } catch {
      return text // truncated or not JSON after all
    }
  }
  if (type.includes('application/x-www-form-urlencoded')) return [...new URLSearchParams(text)].map(([k, v]) => `${k}=${v}`).join('\n')
  return text
}
