import { readFile } from 'node:fs/promises'
import { usageError } from '../lib/errors.js'
import { readStdin } from './input.js'

/**
 * A secret named on the command line by where it is, never by value: `-` (stdin), `@FILE`, or
 * `env:NAME`. A literal value would leak into `ps` and shell history, so it is refused.
 */
export async function readSecretArg(spec: string, flag: string, env: NodeJS.ProcessEnv): Promise<string> {
  if (spec === '-') return readStdin(flag)
  if (spec.startsWith('@')) {
    try {
      return (await readFile(spec.slice(1), 'utf8')).trim()
    } catch (err) {
      throw usageError(`${flag}: cannot read ${spec.slice(1)}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`, { code: 'bad_secret_source' })
    }
  }
  if (spec.startsWith('env:')) {
    const value = env[spec.slice(4)]
    if (!value) throw usageError(`${flag}: environment variable ${spec.slice(4)} is not set`, { code: 'bad_secret_source' })
    return value
  }
  throw usageError(`${flag} takes - (stdin), @FILE or env:NAME, not the value itself: values on the command line leak into ps and shell history`, {
    code: 'secret_on_argv',
  })
}
