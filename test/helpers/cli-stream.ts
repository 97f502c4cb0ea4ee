import { spawn } from 'node:child_process'
import { BIN, type CliResult } from './cli.js'

/** A CLI still running: its stderr can be read (e.g. for the login URL) while it waits. */
export interface RunningCli {
  stdout(): string
  stderr(): string
  /** The first match of `pattern` in stderr, waiting for it at most `timeoutMs`. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
  signal(signal: NodeJS.Signals): void
  /** Write to its stdin (only with `startCli(…, { stdin: true })`; otherwise stdin is closed). */
  write(text: string): void
  /** The exit; the process is killed, and this rejects, when it outlives the bound given to startCli. */
  done: Promise<CliResult>
}

/** Spawn `bin/run.js` in the environment of an isolated() sandbox and stream its output. */
export function startCli(args: string[], env: Record<string, string | undefined>, options: { timeoutMs?: number; stdin?: boolean } = {}): RunningCli {
  const timeoutMs = options.timeoutMs ?? 20_000
  const started = performance.now()
  const child = spawn(process.execPath, [BIN, ...args], { env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] })
  if (!options.stdin) child.stdin.end()
  let stdout = ''
  let stderr = ''
  const waiters = new Set<() => void>()
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString()
    for (const check of waiters) check()
  })
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`oauthctl ${args.join(' ')} did not finish within ${timeoutMs} ms\nstderr: ${stderr}`))
    }, timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      for (const check of waiters) check()
      resolve({ code, stdout, stderr, ms: performance.now() - started })
    })
  })
  // A test that fails before awaiting `done` must not also report an unhandled rejection.
  done.catch(() => undefined)

  const waitForStderr = (pattern: RegExp, waitMs = 10_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(stderr)
        if (match) finish(() => resolve(match))
        else if (child.exitCode !== null || child.signalCode !== null) finish(() => reject(new Error(`oauthctl exited before printing ${pattern}\nstderr: ${stderr}`)))
      }
      const timer = setTimeout(() => finish(() => reject(new Error(`no ${pattern} on stderr within ${waitMs} ms\nstderr: ${stderr}`))), waitMs)
      const finish = (settle: () => void) => {
        clearTimeout(timer)
        waiters.delete(check)
        settle()
      }
      waiters.add(check)
      check()
    })

  const write = (text: string) => void child.stdin.write(text)
  return { stdout: () => stdout, stderr: () => stderr, waitForStderr, signal: (s) => void child.kill(s), write, done }
}
