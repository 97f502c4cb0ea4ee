import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
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
