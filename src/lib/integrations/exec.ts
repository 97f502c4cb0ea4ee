import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process'
import { CliError, usageError } from '../errors.js'
import type { StoredToken } from '../tokens/token-set.js'

/**
 * oauthctl's secret-bearing variables: the credentials that got the token stay with oauthctl (a
 * child is often a script that logs its environment). OAUTHCTL_DPOP_PROOF is one an outer `exec`
 * made for its own request; this child gets its own, or none.
 */
export const SECRET_VARIABLES = ['OAUTHCTL_CLIENT_SECRET', 'OAUTHCTL_PASSWORD', 'OAUTHCTL_ADMIN_PASSWORD', 'OAUTHCTL_INITIAL_ACCESS_TOKEN', 'OAUTHCTL_DPOP_PROOF']

/** Our environment without our secrets: what any child we run starts from. */
export function withoutSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env }
  for (const name of SECRET_VARIABLES) delete out[name]
  return out
}

/**
 * The child's environment: ours without our secrets, plus the token (and a ready Authorization
 * value when asked), and for a DPoP-bound token the proof made for the one request the child was said to send.
 */
export function childEnv(token: StoredToken, headerEnv: string | undefined, env: NodeJS.ProcessEnv, dpopProof?: string): NodeJS.ProcessEnv {
  const out = withoutSecrets(env)
  Object.assign(out, { OAUTHCTL_ACCESS_TOKEN: token.access_token, OAUTHCTL_TOKEN_TYPE: token.token_type })
  if (headerEnv) out[headerEnv] = `${token.token_type} ${token.access_token}`
  if (dpopProof) out.OAUTHCTL_DPOP_PROOF = dpopProof
  return out
}

export interface ChildOptions {
  /** Written to the child's stdin, which is then closed; the child's stdout goes to our stderr (ours carries only our result). */
  input?: string
  /**
   * Ends the child and everything it started (SIGKILL to its process group, which it then runs in);
   * the promise rejects at once. A kill the child could ignore (SIGTERM), or a grandchild still
   * holding our stderr, would make the wait unbounded. Such a child runs without the terminal.
   */
  signal?: AbortSignal
}

/**
 * Run a command with no shell in between, inheriting stdio; resolve with its exit code (128+N when
 * a signal ended it). Ctrl-C reaches the child through the terminal; we wait for it.
 */
export function runChild(command: string[], env: NodeJS.ProcessEnv, options: ChildOptions = {}): Promise<number> {
  const [file, ...args] = command
  if (!file) throw usageError('exec needs a command after --', { code: 'missing_command', hint: 'oauthctl exec -- curl https://api.example.com' })
  return new Promise((resolve, reject) => {
    const { input, signal } = options
    const stdio: StdioOptions = input === undefined ? 'inherit' : ['pipe', process.stderr, 'inherit']
    const child: ChildProcess = spawn(file, args, { env, stdio, shell: false, detached: signal !== undefined })
    const stop = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL')
      } catch {
        // already gone
      }
      reject(signal?.reason)
    }
    if (signal?.aborted) stop()
    else signal?.addEventListener('abort', stop, { once: true })
    if (input !== undefined && child.stdin) {
      // A child that exits without reading its stdin is judged by its exit code, not by the broken pipe.
      child.stdin.on('error', () => {})
      child.stdin.end(input)
    }
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal)
    const onInt = forward('SIGINT')
    const onTerm = forward('SIGTERM')
    process.on('SIGINT', onInt)
    process.on('SIGTERM', onTerm)
    child.on('error', (err: NodeJS.ErrnoException) => {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      signal?.removeEventListener('abort', stop)
      // Exit codes as shells give them: 127 not found, 126 found but not executable.
      if (err.code === 'ENOENT') reject(new CliError('exec_not_found', `cannot run ${file}: command not found`, { code: 'command_not_found' }))
      else if (err.code === 'EACCES') reject(new CliError('exec_not_executable', `cannot run ${file}: permission denied`, { code: 'not_executable' }))
      else reject(usageError(`cannot run ${file}: ${err.message}`, { code: 'exec_failed' }))
    })
    child.on('exit', (code, killedBy) => {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      signal?.removeEventListener('abort', stop)
      resolve(code ?? 128 + (killedBy ? (({ SIGINT: 2, SIGTERM: 15, SIGKILL: 9 }) as Record<string, number>)[killedBy] ?? 1 : 1))
    })
  })
}
