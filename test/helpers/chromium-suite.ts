import type { Browser } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { launchChromium } from './browser.js'

// Apart from browser.ts: the global setup imports that one, and vitest's hooks exist only in a test file's context.
/** Chromium for a suite: launched before its tests, closed after them; `set` receives it. */
export function useChromium(set: (browser: Browser) => void): void {
  let launched: Browser | undefined
  beforeAll(async () => {
    launched = await launchChromium()
    set(launched)
  })
  afterAll(async () => {
    await launched?.close()
  })
}
