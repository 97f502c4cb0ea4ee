import { CliError, usageError } from '../lib/errors.js'

/** `--param KEY=VALUE` pairs into a record; the error names the bad pair's key only. */
export function parseKeyValues(pairs: readonly string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw usageError(`${flag} takes KEY=VALUE (got an entry without "=")`, { code: 'bad_param' })
    // defineProperty: a key such as __proto__ is a parameter name like any other, not the prototype.
    Object.defineProperty(out, pair.slice(0, eq), { value: pair.slice(eq + 1), enumerable: true, writable: true, configurable: true })
  }
  return out
}

/** Read all of stdin (for --client-secret-stdin and `-` arguments), trimmed of one trailing newline. */
export async function readStdin(what: string, stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (stdin.isTTY) throw usageError(`${what} expects the value on stdin, and stdin is a terminal`, { code: 'stdin_is_tty', hint: `pipe it in: printf %s "$VALUE" | oauthctl …` })
  const chunks: Buffer[] = []
  for await (const chunk of stdin) chunks.push(Buffer.from(chunk))
  const value = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '')
  if (!value) throw usageError(`${what}: stdin was empty`, { code: 'empty_stdin' })
  return value
}

/** Whether we may ask the user: a TTY on stdin and not CI (SPEC.md: nothing prompts otherwise). */
export const canPrompt = (env: NodeJS.ProcessEnv = process.env) => Boolean(process.stdin.isTTY) && !env.CI

/**
 * Ask for a secret at a hidden prompt. The prompt is drawn on stderr, never stdout: stdout is the
 * command's result (`T=$(oauthctl token get …)`, `… --json > out.json`) and must hold nothing else.
 */
export async function promptSecret(message: string): Promise<string> {
  const { password } = await import('@inquirer/prompts')
  return answered(password({ message, mask: false }, { output: process.stderr }))
}

/** Ask a yes/no question on stderr; no is the default. */
export async function promptConfirm(question: string): Promise<boolean> {
  const { confirm } = await import('@inquirer/prompts')
  return answered(confirm({ message: question, default: false }, { output: process.stderr }))
}

/** A prompt's answer; Ctrl-C at the prompt is an interruption (130), not a bug. */
async function answered<T>(prompt: Promise<T>): Promise<T> {
  try {
    return await prompt
  } catch (err) {
    if ((err as Error)?.name === 'ExitPromptError') throw new CliError('interrupted', 'interrupted', { code: 'interrupted', cause: err })
    throw err
  }
}
