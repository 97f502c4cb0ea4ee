import { existsSync } from 'node:fs'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { startCli } from './cli-stream.js'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/**
 * Browser tests skip where there is no Chromium, except in CI or when CHROMIUM_PATH names one: there
 * a missing browser is a broken runner, and launching it in beforeAll fails the suite instead.
 */
export const skipBrowserTests = !existsSync(CHROMIUM_PATH) && !process.env.CI && !process.env.CHROMIUM_PATH

/** Every wait in a browser test is bounded by this. */
export const BROWSER_TIMEOUT_MS = 10_000

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: BROWSER_TIMEOUT_MS,
  })
}

/**
 * A fresh context (no cookies from another test's login) whose page can reach loopback only:
 * oidc-provider's pages import a web font, and a test must not wait on the internet.
 */
export async function loopbackPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext()
  await context.route('**/*', (route) => {
    const { hostname } = new URL(route.request().url())
    return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]' ? route.continue() : route.abort()
  })
  context.setDefaultTimeout(BROWSER_TIMEOUT_MS)
  context.setDefaultNavigationTimeout(BROWSER_TIMEOUT_MS)
  return { context, page: await context.newPage() }
}

/** oidc-provider's development login page: any login name, any password. */
export async function sandboxSignIn(page: Page, login = 'demo'): Promise<void> {
  await page.locator('input[name=login]').fill(login)
  await page.locator('input[name=password]').fill('any-password')
  await page.locator('button[type=submit]').click()
}

/** oidc-provider's development consent page. */
export async function sandboxConsent(page: Page): Promise<void> {
  await page.locator('button[type=submit]', { hasText: 'Continue' }).click()
}

/** The demo user signs in and consents; resolves with the code the loopback page was sent. */
export async function sandboxApprove(page: Page, authUrl: URL): Promise<string> {
  await page.goto(authUrl.href)
  await sandboxSignIn(page)
  await sandboxConsent(page)
  await waitForHeading(page, 'Logged in')
  return new URL(page.url()).searchParams.get('code') ?? ''
}

/** Wait (bounded) until the page shows a heading with this text: playwright-core has no expect(). */
export async function waitForHeading(page: Page, text: string): Promise<void> {
  await page.locator('h1', { hasText: text }).waitFor()
}

/** Wait (bounded) until the page shows this text. */
export async function waitForText(page: Page, text: string): Promise<void> {
  await page.getByText(text).first().waitFor()
}

/** The authorization URL `login --no-open` prints on stderr. */
export const AUTH_URL = /^ {2}(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)$/m

/** Run `login --no-open` with the given flags, and hand the printed authorization URL to `drive` in a fresh page. */
export async function browserLogin(browser: Browser, env: Record<string, string>, args: string[], drive: (page: Page, url: URL) => Promise<void>) {
  const cli = startCli(['login', '--no-open', ...args], env)
  const url = new URL((await cli.waitForStderr(AUTH_URL))[1] ?? '')
  const { context, page } = await loopbackPage(browser)
  try {
    await drive(page, url)
    return { result: await cli.done, url }
  } finally {
    await context.close()
  }
}
