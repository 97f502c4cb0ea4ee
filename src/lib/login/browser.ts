import { userInfo } from 'node:os'
import { badResponse } from '../errors.js'
import { importEsm } from '../esm-import.cjs'
import { isLoopbackHost } from '../http/transport.js'
import type { Browser, BrowserPlan, LoginUi } from './types.js'

/**
 * `--no-open` wins; a `BROWSER` the user set is honoured even where we would not open one (over
 * SSH it may well be a script that forwards the URL). Otherwise no browser over SSH, in WSL, or on
 * a Linux/BSD machine without a display.
 */
export function planBrowser(noOpen: boolean, env: NodeJS.ProcessEnv, platform: NodeJS.Platform, wsl: boolean): BrowserPlan {
  if (noOpen) return { open: false, reason: 'no-open' }
  if (env.BROWSER) return { open: true }
  if (env.SSH_CONNECTION || env.SSH_CLIENT || env.SSH_TTY) return { open: false, reason: 'ssh', sshHost: env.SSH_CONNECTION?.split(' ')[2] }
  if (wsl) return { open: false, reason: 'wsl' }
  const hasDisplay = platform === 'darwin' || platform === 'win32' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY)
  return hasDisplay ? { open: true } : { open: false, reason: 'no-display' }
}

/**
 * The plan for this machine. WSL is is-wsl's answer (kernel release, /proc/version, WSL paths; a
 * container inside WSL is not WSL), loaded here: it reads /proc when first imported.
 */
export async function browserPlan(noOpen: boolean, env: NodeJS.ProcessEnv): Promise<BrowserPlan> {
  const { default: wsl } = await import('is-wsl')
  return planBrowser(noOpen, env, process.platform, wsl)
}

/**
 * The one gate for a URL handed to a browser or printed as "open this": an absolute https URL
 * (http only to a loopback host), no leading "-" (an opener or BROWSER would read an option such as
 * --gpu-launcher), no whitespace or control characters (a second argument, a terminal escape).
 * Anything else is refused as a bad response (exit 5); `source` says who supplied it, as
 * "the device authorization endpoint sent a verification URI". Returns the URL as parsed.
 */
export function safeBrowserUrl(url: string, source: string): string {
  const refuse = (reason: string) => badResponse(`${source} that is not safe to open (${reason})`, { code: 'unsafe_url' })
  if (url.startsWith('-')) throw refuse('it starts with "-"')
  if (/[\s\u0000-\u001f\u007f-\u009f]/.test(url)) throw refuse('it contains whitespace or control characters')
  if (!URL.canParse(url)) throw refuse('not an absolute URL')
  const parsed = new URL(url)
  if (parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname)) throw refuse(`plain http to ${parsed.host}; only loopback hosts may use http`)
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw refuse(`its scheme is ${parsed.protocol}, not https:`)
  return parsed.href
}

/**
 * Open `url` with `BROWSER` (a command, optionally with arguments; the URL is appended) or the
 * system opener. Resolves once the opener started; rejects when it could not be started.
 */
export async function openInBrowser(url: string, env: NodeJS.ProcessEnv): Promise<void> {
  const target = safeBrowserUrl(url, 'the login was given a URL')
  const { default: open } = await importEsm<typeof import('open')>('open')
  const [name, ...args] = (env.BROWSER ?? '').split(/\s+/).filter(Boolean)
  const child = await open(target, name ? { app: { name, arguments: args } } : {})
  // `open` does not wait for the spawn: a missing opener would otherwise be an uncaught 'error'.
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve)
    child.once('error', reject)
  })
}

/** The `ssh -L` line that carries the browser's redirect from the user's machine to `address` here. */
function sshForwardLine(address: string, port: string, sshHost: string | undefined, env: NodeJS.ProcessEnv): string {
  const user = env.USER || env.LOGNAME || userInfo().username
  return `ssh -L ${port}:${address}:${port} ${user}@${sshHost ?? '<host>'}`
}

/**
 * Show the authorization URL of a loopback login and open it when the plan says so; when a
 * browser here cannot reach the URL or its redirect, say how to do it otherwise.
 */
export async function presentLoopbackUrl(authorizationUrl: string, redirectUri: string, browser: Browser, ui: LoginUi, env: NodeJS.ProcessEnv): Promise<void> {
  const url = safeBrowserUrl(authorizationUrl, 'the authorization endpoint makes an authorization URL')
  const { hostname, port } = new URL(redirectUri)
  // The address the listener surely has: for localhost it binds 127.0.0.1 (and ::1 where it can).
  const address = hostname === '[::1]' ? '[::1]' : '127.0.0.1'
  const { plan } = browser
  if (plan.open) {
    ui.info(`Opening the login page in your browser. If it does not open, visit:\n  ${url}`)
    await openOrWarn(url, browser, ui)
  } else {
    ui.info(`Open this URL in a browser to log in:\n  ${url}`)
    if (plan.reason === 'ssh') {
      ui.info(`This is an SSH session: the browser's redirect must reach ${address}:${port} here. On your machine, run first:\n  ${sshForwardLine(address, port, plan.sshHost, env)}\nor log in with --flow device or --flow manual instead.`)
    } else if (plan.reason !== 'no-open') {
      ui.info(`No browser can be opened here (${plan.reason === 'wsl' ? 'WSL' : 'no display'}). Use a browser that can reach ${address}:${port} on this machine, or log in with --flow device or --flow manual.`)
    }
  }
}

/** Opening a browser is a convenience: when it fails, the URL is already on the screen. */
export async function openOrWarn(url: string, browser: Browser, ui: LoginUi): Promise<void> {
  try {
    await browser.open(url)
  } catch (err) {
    ui.warn(`could not open a browser (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): open the URL yourself`)
  }
}
