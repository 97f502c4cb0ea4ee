/**
 * Redaction in one place: the HTTP trace, error messages and --json output all pass through it.
 * Two defences: values under secret-bearing names (headers, form fields, JSON keys, URL query
 * parameters) and every secret value this process has seen (registered with `registerSecret`).
 */
export const REDACTED = '[REDACTED]'

/** Field names whose values are secrets, normalised: snake case. */
const SECRET_NAMES = new Set([
  'authorization',
  'proxy_authorization',
  'cookie',
  'set_cookie',
  'dpop',
  'client_secret',
  'code',
  'code_verifier',
  'refresh_token',
  'access_token',
  'id_token',
  'password',
  'registration_access_token',
  'initial_access_token',
  'assertion',
  'client_assertion',
  'subject_token',
  'actor_token',
  'device_code',
  'secret',
  'token',
  'api_key',
  'x_api_key',
  'private_key',
])

/** `client-secret`, `clientSecret` and `CLIENT_SECRET` all become `client_secret`. */
const normalise = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().replaceAll('-', '_')

/** How many names (and JSON keys) the caches below remember. */
const NAMES_REMEMBERED = 4096

// A listing asks about the same few keys thousands of times.
const secretNameCache = new Map<string, boolean>()

export function isSecretName(name: string): boolean {
  let secret = secretNameCache.get(name)
  if (secret === undefined) {
    secret = SECRET_NAMES.has(normalise(name))
    // Bounded: a hostile server can send any number of distinct names.
    if (secretNameCache.size < NAMES_REMEMBERED) secretNameCache.set(name, secret)
  }
  return secret
}

/** Secrets shorter than this are not registered for value matching: too many false hits. */
const MIN_SECRET_LENGTH = 4

const knownSecrets = new Set<string>()
/** knownSecrets longest first (so that a secret containing another is removed whole); rebuilt after a new one. */
let longestFirst: string[] | undefined
/** The length of the shortest of them: a shorter text holds none. */
let shortestSecret = Infinity

/** application/x-www-form-urlencoded as URLSearchParams writes it. */
const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2)
/** The strict form encoding of RFC 6749 Appendix B (also -_.!~*'() escaped), as oauth4webapi encodes Basic credentials. */
export const strictFormEncode = (value: string) =>
  encodeURIComponent(value)
    .replace(/[-_.!~*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
const formDecode = (value: string) => {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '))
  } catch {
    return value // not percent-encoded after all
  }
}

/** Remember a secret value so that it is scrubbed from any text that later passes the redactor. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return
  // The same secret percent-encoded, as it travels in URLs and form bodies (and comes back in echoed pages).
  const known = knownSecrets.size
  for (const form of [value, encodeURIComponent(value), formEncode(value), strictFormEncode(value)]) knownSecrets.add(form)
  // Every request registers its credentials again: only a new one invalidates what was derived from them.
  if (knownSecrets.size !== known) {
    longestFirst = undefined
    jsonKeys.clear()
  }
}

/**
 * A client id and secret as HTTP Basic credentials (RFC 7617): the secret, and base64 of `id:secret`
 * raw and with both parts form-encoded (RFC 6749 §2.3.1, strictly or as URLSearchParams does),
 * each of those also URL- and form-encoded.
 */
export function registerBasicCredentials(id: string, secret: string): void {
  if (secret.length < MIN_SECRET_LENGTH) return
  registerSecret(secret)
  for (const encode of [(v: string) => v, formEncode, strictFormEncode]) registerSecret(Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64'))
}

const registeredHeaderValues = new Set<string>()

/**
 * Register the secrets an outgoing request carries, in every form a server could echo them in: the
 * credentials of its Authorization header (Basic decoded into id and secret), its other
 * secret-bearing headers, and the secret-named fields of a form or JSON body. The HTTP layer calls
 * this before each request is sent, so whatever code encoded a credential, its echo is redacted.
 */
export function registerRequestSecrets(headers: Record<string, string>, body: string | undefined): void {
  for (const [name, value] of Object.entries(headers)) {
    // A paged listing sends the same credentials a hundred times: each is decoded and registered once.
    if (!isSecretName(name) || registeredHeaderValues.has(value)) continue
    registeredHeaderValues.add(value)
    const [, scheme, credentials] = /^(\S+)\s+(\S+)$/.exec(value) ?? []
    if (scheme?.toLowerCase() === 'basic' && credentials) {
      registerSecret(credentials)
      const pair = Buffer.from(credentials, 'base64').toString('utf8')
      const colon = pair.indexOf(':')
      if (colon >= 0) registerBasicCredentials(formDecode(pair.slice(0, colon)), formDecode(pair.slice(colon + 1)))
    } else {
      registerSecret(credentials ?? value)
    }
  }
  if (!body) return
  const trimmed = body.trimStart()
  if (trimmed.startsWith('{')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(body)
    } catch {
      return // not JSON: nothing named to register
    }
    for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) if (isSecretName(name) && typeof value === 'string') registerSecret(value)
    return
  }
  for (const [name, value] of new URLSearchParams(body)) if (isSecretName(name)) registerSecret(value)
}

/** JWS/JWE compact serialisations: redacted wherever they appear, whatever they are called. */
const COMPACT_JWT = /eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)?/g

export function redactText(text: string): string {
  let out = text
  if (!longestFirst) {
    longestFirst = [...knownSecrets].sort((a, b) => b.length - a.length)
    shortestSecret = longestFirst.at(-1)?.length ?? Infinity
  }
  // Most strings in a listing are shorter than any secret: they skip the loop.
  if (text.length >= shortestSecret) {
    for (const secret of longestFirst) if (out.includes(secret)) out = out.split(secret).join(REDACTED)
  }
  return out.includes('eyJ') ? out.replace(COMPACT_JWT, REDACTED) : out
}

export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    const joined = Array.isArray(value) ? value.join(', ') : value
    if (isSecretName(name)) {
      // Keep the scheme: "Bearer [REDACTED]" tells the reader what was sent.
      const scheme = /^(Basic|Bearer|DPoP|Negotiate)\s/i.exec(joined)?.[1]
      out[name] = scheme ? `${scheme} ${REDACTED}` : REDACTED
    } else {
      out[name] = redactText(joined)
    }
  }
  return out
}

/**
 * Copy on write: a value with nothing to redact comes back as it is (the same object), and only
 * the objects and arrays on the way to a redacted value are copied. A listing passes 10,000 clients
 * here, nearly all clean; copying each one was most of the listing's garbage.
 */
function redactJsonValue(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value)
  if (Array.isArray(value)) {
    let out: unknown[] | undefined
    for (let i = 0; i < value.length; i++) {
      const redacted = redactJsonValue(value[i])
      if (redacted !== value[i]) (out ??= value.slice())[i] = redacted
    }
    return out ?? value
  }
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>
    let out: Record<string, unknown> | undefined
    // for…in, not Object.keys: no array per object (a JSON object has no inherited enumerable keys).
    for (const k in record) {
      const v = record[k]
      const { key, secret } = jsonKey(k)
      const redacted = secret && v !== null && v !== '' ? REDACTED : redactJsonValue(v)
      if (!out) {
        if (key === k && redacted === v) continue
        out = {}
        for (const earlier in record) {
          if (earlier === k) break
          setOwn(out, earlier, record[earlier])
        }
      }
      setOwn(out, key, redacted)
    }
    return out ?? value
  }
  return value
}

/**
 * What a JSON key becomes (its text redacted) and whether it names a secret, remembered: a listing
 * walks the same few keys thousands of times. Forgotten when a new secret is registered; bounded,
 * as a hostile server can send any number of distinct keys.
 */
const jsonKeys = new Map<string, { key: string; secret: boolean }>()

function jsonKey(k: string): { key: string; secret: boolean } {
  let known = jsonKeys.get(k)
  if (!known) {
    known = { key: redactText(k), secret: isSecretName(k) }
    if (jsonKeys.size < NAMES_REMEMBERED) jsonKeys.set(k, known)
  }
  return known
}

/** A key named __proto__ must stay a key: assigning it would set the prototype. */
function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
  else out[key] = value
}

export const redactJson = <T>(value: T): T => redactJsonValue(value) as T

function redactParams(params: URLSearchParams): string {
  const out = new URLSearchParams()
  for (const [k, v] of params) out.append(k, isSecretName(k) ? REDACTED : redactText(v))
  return out.toString()
}

export function redactUrl(url: string | URL): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return redactText(String(url))
  }
  if (parsed.username || parsed.password) {
    parsed.username = parsed.username ? REDACTED : ''
    parsed.password = parsed.password ? REDACTED : ''
  }
  if (parsed.search) parsed.search = redactParams(parsed.searchParams)
  if (parsed.hash.length > 1) parsed.hash = redactParams(new URLSearchParams(parsed.hash.slice(1)))
  return redactText(parsed.toString())
}

/** Redact a request or response body, using its content type to find the secret-bearing names. */
export function redactBody(body: string, contentType?: string): string {
  const type = (contentType ?? '').toLowerCase()
  const trimmed = body.trimStart()
  if (type.includes('json') || trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.stringify(redactJson(JSON.parse(body)))
    } catch {
      // Not JSON after all: fall through to the text rules.
    }
  }
  if (type.includes('application/x-www-form-urlencoded')) return redactParams(new URLSearchParams(body))
  return redactText(body)
}
