import { existsSync } from 'node:fs'
import { mkdir, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { privateTmpdir } from '../global-setup.js'
import { runNode } from '../helpers/cli.js'

/**
 * The test run itself (test/global-setup.ts): it leaves nothing in the temporary folder, and a suite
 * that cannot run on this machine says so, once, with how to run it.
 */
const ROOT = resolve(import.meta.dirname, '../..')
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs')

describe('the temporary folder of a test run', () => {
  it('every worker (and every CLI it spawns) works in the run\'s own temporary folder', () => {
    expect(basename(tmpdir())).toMatch(/^oauthctl-vitest-/)
  })

  it('what a test leaves behind fails the run, by name, and the folder is removed all the same', async () => {
    const finish = await privateTmpdir()
    const dir = tmpdir()
    await mkdtemp(join(tmpdir(), 'oauthctl-test-'))
    await mkdir(join(tmpdir(), 'node-compile-cache')) // Node's own, not a test's: allowed
    await expect(finish()).rejects.toThrow(/^the tests left 1 entry in the temporary folder \(each test must remove what it makes\): oauthctl-test-\w+$/)
    expect(existsSync(dir)).toBe(false)
    expect(basename(tmpdir())).toMatch(/^oauthctl-vitest-/) // the run's folder again
  })

  it('a clean folder passes', async () => {
    const finish = await privateTmpdir()
    await expect(finish()).resolves.toBeUndefined()
  })
})

describe('suites that cannot run here', () => {
  // A D-Bus address that goes nowhere: no Secret Service, even inside .ci/run's session.
  const noKeychain = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/oauthctl-test-bus', OAUTHCTL_REQUIRE_KEYCHAIN: undefined }
  const runKeychainSuite = (env: Record<string, string | undefined>) =>
    runNode([VITEST, 'run', 'test/integration/keychain.test.ts', '--reporter=dot'], { env: { ...env, NO_COLOR: '1' }, timeoutMs: 90_000 })

  it('outside CI, the keychain suite skips and the run says so in one line: which suite, why, how to run it', async () => {
    const run = await runKeychainSuite(noKeychain)
    const output = run.stdout + run.stderr
    expect(run.code, output).toBe(0)
    const lines = output.split('\n').filter((line) => line.startsWith('skipping the keychain suites'))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/\(test\/integration\/keychain\.test\.ts, .*\): no Secret Service answers here \(.*\/nonexistent\/oauthctl-test-bus.*\); to run them: bash \.ci\/run, or dbus-run-session -- /)
  }, 120_000)

  it('with OAUTHCTL_REQUIRE_KEYCHAIN=1 (CI) it fails instead, and no skip line is printed', async () => {
    const run = await runKeychainSuite({ ...noKeychain, OAUTHCTL_REQUIRE_KEYCHAIN: '1' })
    const output = run.stdout + run.stderr
    expect(run.code, output).toBe(1)
    expect(output).toContain('OAUTHCTL_REQUIRE_KEYCHAIN=1 but the keychain is unavailable')
    expect(output).not.toContain('skipping the keychain suites')
  }, 120_000)
})
