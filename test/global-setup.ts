import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CHROMIUM_PATH, skipBrowserTests } from './helpers/browser.js'
import { KEYCHAIN_REQUIRED, keychainError } from './helpers/keychain.js'

/** Node's own compile cache (bin/run.js enables it on Node >= 22.1): made by Node, not by a test. */
const NODE_COMPILE_CACHE = 'node-compile-cache'

/**
 * Once per `vitest run`, in the main process, before any worker starts:
 * - the run gets a temporary folder of its own (TMPDIR, inherited by the workers and every CLI they
 *   spawn); at the end anything a test left in it fails the run, by name, and the folder goes;
 * - outside CI, one line per suite that will skip here, saying why and how to run it.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const teardown = await privateTmpdir()
  for (const line of await skipNotices()) process.stderr.write(`${line}\n`)
  return teardown
}

/** Point TMPDIR at a new folder; the returned function restores it, removes the folder, and throws if anything was left in it. */
export async function privateTmpdir(): Promise<() => Promise<void>> {
  const previous = process.env.TMPDIR
  const root = await mkdtemp(join(tmpdir(), 'oauthctl-vitest-'))
  process.env.TMPDIR = root
  return async () => {
    const left = (await readdir(root)).filter((name) => name !== NODE_COMPILE_CACHE)
    if (previous === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = previous
    await rm(root, { recursive: true, force: true })
    if (left.length) throw new Error(`the tests left ${left.length} entr${left.length === 1 ? 'y' : 'ies'} in the temporary folder (each test must remove what it makes): ${left.sort().join(', ')}`)
  }
}

/** The suites that will skip on this machine, one line each (none where CI requires them: they fail there). */
export async function skipNotices(): Promise<string[]> {
  const lines: string[] = []
  const keychain = await keychainError()
  if (keychain && !KEYCHAIN_REQUIRED)
    lines.push(
      `skipping the keychain suites (test/integration/keychain.test.ts, the keychain case of token-get.test.ts): no Secret Service answers here (${keychain.message.split('\n')[0]}); to run them: bash .ci/run, or dbus-run-session -- bash -c 'eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)"; OAUTHCTL_REQUIRE_KEYCHAIN=1 npx vitest run'`,
    )
  if (skipBrowserTests)
    lines.push(`skipping the browser suites (test/e2e/*.test.ts, the README's login example): no Chromium at ${CHROMIUM_PATH}; to run them: install chromium, or set CHROMIUM_PATH to a Chromium binary (bash .ci/run does both)`)
  return lines
}
