import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { checkJsonContract } from './json-contract.js'

export const BIN = resolve(import.meta.dirname, '../../bin/run.js')

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
  ms: number
}

export interface RunOptions {
  env?: Record<string, string | undefined>
  stdin?: string
  timeoutMs?: number
}

/** An isolated place for one test: its own HOME and config folder. */
export interface Sandboxed {
  home: string
  configDir: string
  env: Record<string, string>
  run(args: string[], options?: RunOptions): Promise<CliResult>
  cleanup(): Promise<void>
}

/** Environment a spawned CLI gets: no inherited OAUTHCTL_* or proxy settings, CI set (no prompts). */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    // NODE_ENV=test (set by vitest) would make oclif print development warnings a user never sees.
    if (v === undefined || k.startsWith('OAUTHCTL_') || /_proxy$/i.test(k) || k === 'NODE_EXTRA_CA_CERTS' || k === 'NODE_ENV') continue
    env[k] = v
  }
  env.CI = '1'
  env.NO_COLOR = '1'
  return env
}

/** Run `FILE ARGS` to completion with a bounded wait (SIGKILL and reject past it). */
export function runProcess(file: string, args: string[], options: RunOptions = {}): Promise<CliResult> {
  const started = performance.now()
  const timeoutMs = options.timeoutMs ?? 20_000
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, { env: (options.env ?? process.env) as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${basename(file)} ${args.join(' ')} did not finish within ${timeoutMs} ms\nstderr: ${stderr}`))
    }, timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolvePromise({ code, stdout, stderr, ms: performance.now() - started })
    })
    child.stdin.end(options.stdin ?? '')
  })
}

/** Run `node ARGS` to completion with a bounded wait. */
export const runNode = (args: string[], options: RunOptions = {}) => runProcess(process.execPath, args, options)

/** Spawn `bin/run.js` as a user would, with a bounded wait. */
export const runCli = (args: string[], options: RunOptions & { env: Record<string, string | undefined> }) => runNode([BIN, ...args], options)

/** A fresh HOME + config folder; `run` spawns the CLI inside it. Storage defaults to `file`. */
export async function isolated(extraEnv: Record<string, string> = {}): Promise<Sandboxed> {
  const home = await mkdtemp(join(tmpdir(), 'oauthctl-test-'))
  const configDir = join(home, 'config')
  const env = { ...baseEnv(), HOME: home, OAUTHCTL_CONFIG_DIR: configDir, OAUTHCTL_STORAGE: 'file', ...extraEnv }
  return {
    home,
    configDir,
    env,
    // Every --json run a test makes is also checked against the JSON contract (docs/schemas).
    run: async (args, options = {}) => checkJsonContract(args, await runCli(args, { ...options, env: { ...env, ...options.env } })),
    cleanup: () => rm(home, { recursive: true, force: true }),
  }
}
