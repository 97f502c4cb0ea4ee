import { createHash } from 'node:crypto'

/**
 * The pages the loopback server shows in the user's browser: self-contained (no external
 * resources), never framed, never cached, and everything echoed into them HTML-escaped: the
 * messages can carry an authorization server's `error_description`, which an attacker controls.
 */
export interface Page {
  status: number
  html: string
  /** The Content-Security-Policy the page is served with. */
  csp: string
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c)

const STATIC_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

function layout(title: string, paragraphs: string[]): string {
  const body = paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>oauthctl: ${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}</style>
</head><body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`
}

const page = (status: number, title: string, ...paragraphs: string[]): Page => ({ status, html: layout(title, paragraphs), csp: STATIC_CSP })

export const successPage = () => page(200, 'Logged in', 'oauthctl received the tokens. You can close this tab and return to the terminal.')

export const failurePage = (message: string) => page(400, 'Login failed', message, 'Nothing was stored. The terminal shows what to do next.')

/** A callback that is not for the login in progress: answered, and the login keeps waiting. */
export const ignoredPage = (reason: string) => page(400, 'Response ignored', `This response was ignored: ${reason}.`, 'The login in the terminal is still waiting.')

export const finishedPage = () => page(409, 'Already finished', 'This login has already received its response. You can close this tab.')

export const notFoundPage = (path: string) => page(404, 'Not found', `oauthctl only answers on ${path}.`)

/** A request this server does not take (another Host, another origin, another method). */
export const refusedPage = (reason: string) => page(400, 'Request refused', `oauthctl refused this request: ${reason}.`)

/**
 * The implicit flow's callback: the token is in the URL fragment, which browsers never send to a
 * server, so this script posts it back (then removes it from the address bar and history).
 * The query is the fallback for servers that return errors there.
 */
const RELAY_SCRIPT = `const body = location.hash.slice(1) || location.search.slice(1);
history.replaceState(null, '', location.pathname);
fetch(location.pathname, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })
  .then((response) => response.text())
  .then((html) => { document.open(); document.write(html); document.close(); })
  .catch(() => { document.body.textContent = 'Could not reach oauthctl: is the login still running in the terminal?'; });`

const RELAY_HASH = createHash('sha256').update(RELAY_SCRIPT).digest('base64')

export const relayPage = (): Page => ({
  status: 200,
  html: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>oauthctl: completing login</title></head>
<body><p>Completing the login…</p><script>${RELAY_SCRIPT}</script></body></html>
`,
  // Only this exact script may run, and it may talk only to this server.
  csp: `default-src 'none'; script-src 'sha256-${RELAY_HASH}'; connect-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
})
