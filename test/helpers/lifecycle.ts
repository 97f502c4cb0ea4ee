import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest'
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/lib/sandbox/server.js'
import { isolated, type Sandboxed } from './cli.js'

/**
 * One sandbox for the whole file: started before the tests, stopped after them, its request counts
 * reset before each test. `set` receives it (test files keep it in a `let`).
 */
export function useSandbox(set: (sandbox: Sandbox) => void, options?: SandboxOptions): void {
  let sandbox: Sandbox | undefined
  beforeAll(async () => {
    sandbox = await startSandbox(options)
    set(sandbox)
  })
  afterAll(async () => {
    await sandbox?.close()
  })
  beforeEach(() => {
    sandbox?.resetCounts()
  })
}

/** A fresh HOME and config folder for each test (see `isolated`), removed after it. */
export function useIsolated(set: (t: Sandboxed) => void, extraEnv: Record<string, string> = {}): void {
  let current: Sandboxed | undefined
  beforeEach(async () => {
    current = await isolated(extraEnv)
    set(current)
  })
  afterEach(async () => {
    await current?.cleanup()
  })
}

/**
 * The client-administration set-up on the sandbox: one sandbox for the file, a fresh HOME per test
 * with profile `admin` on the sandbox's issuer (RFC 7591/7592), request counts reset after adding it.
 */
export function useSandboxAdmin(set: (sandbox: Sandbox, t: Sandboxed) => void): void {
  let sandbox: Sandbox
  let t: Sandboxed
  useSandbox((s) => (sandbox = s))
  useIsolated((i) => (t = i))
  beforeEach(async () => {
    const added = await t.run(['profiles', 'add', 'admin', '--issuer', sandbox.issuer])
    expect(added, added.stderr).toMatchObject({ code: 0 })
    sandbox.resetCounts()
    set(sandbox, t)
  })
}
