/** credentials.json: `{"version":1,"entries":{key: value}}`. Checked by hand: the fast path loads no zod. */
export interface Credentials {
  version: 1
  entries: Record<string, string>
}

/** The parsed file, or a short reason why it is not one. */
export function parseCredentials(text: string): Credentials | { invalid: string } {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return { invalid: 'not valid JSON' }
  }
  const c = parsed as { version?: unknown; entries?: unknown }
  if (!c || typeof c !== 'object' || Array.isArray(c)) return { invalid: 'not an object' }
  if (c.version !== 1) return { invalid: 'version' }
  if (!c.entries || typeof c.entries !== 'object' || Array.isArray(c.entries)) return { invalid: 'entries' }
  // A prototype-free copy: a key named "toString" or "constructor" is just a key.
  const entries: Record<string, string> = Object.create(null)
  for (const [key, value] of Object.entries(c.entries)) {
    if (typeof value !== 'string') return { invalid: `entries.${key}` }
    entries[key] = value
  }
  return { version: 1, entries }
}

export const emptyCredentials = (): Credentials => ({ version: 1, entries: Object.create(null) })
