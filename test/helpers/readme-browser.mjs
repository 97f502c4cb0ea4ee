#!/usr/bin/env node
// A `BROWSER` for the README's login examples (test/integration/readme-examples.test.ts): given the
// authorization URL, it does in headless Chromium what a user does on the sandbox's development
// pages (sign in with any name and password, consent) and waits for the page the login ends on.
// Loopback only, every wait bounded; failures go to README_BROWSER_LOG (the CLI starts it detached).
import { appendFileSync } from 'node:fs'
import { chromium } from 'playwright-core'

const TIMEOUT_MS = 15_000
const url = process.argv[2] ?? ''
const log = (text) => process.env.README_BROWSER_LOG && appendFileSync(process.env.README_BROWSER_LOG, `${text}\n`)

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: TIMEOUT_MS,
})
try {
  const context = await browser.newContext()
  await context.route('**/*', (route) => (['127.0.0.1', 'localhost'].includes(new URL(route.request().url()).hostname) ? route.continue() : route.abort()))
  context.setDefaultTimeout(TIMEOUT_MS)
  const page = await context.newPage()
  await page.goto(url)
  await page.locator('input[name=login]').fill('demo')
  await page.locator('input[name=password]').fill('any-password')
  await page.locator('button[type=submit]').click()
  // The consent page, unless the login already ended (an error, or consent remembered).
  const consent = page.locator('button[type=submit]', { hasText: 'Continue' })
  const ended = page.locator('h1', { hasText: /Logged in|Login failed|Response ignored|Request refused|oops/i })
  await consent.or(ended).first().waitFor()
  if (await consent.isVisible()) await consent.click()
  await ended.first().waitFor()
  log(`login page ended: ${await ended.first().textContent()}`)
} catch (err) {
  log(`readme-browser: ${err instanceof Error ? err.message : String(err)}`)
  process.exitCode = 1
} finally {
  await browser.close()
}
