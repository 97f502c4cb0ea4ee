/** Backoff for attempt N (1-based) with full jitter, or the server's Retry-After when it sent one. */
export function retryDelayMs(
  attempt: number,
  retryAfter: string | undefined,
  options: { retryBaseMs: number; random: () => number; now?: () => number },
): number {
  const fromServer = parseRetryAfter(retryAfter, options.now?.() ?? Date.now())
  if (fromServer !== undefined) return fromServer
  const ceiling = options.retryBaseMs * 2 ** (attempt - 1)
  return Math.round(ceiling / 2 + (options.random() * ceiling) / 2)
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date. Undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  // All three HTTP-date forms start with a day name; Date.parse alone accepts junk like "-5" as a date.
  if (!/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s/.test(trimmed)) return undefined
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}
