import { Command, Flags, type Interfaces } from '@oclif/core'
import { CliError, usageError } from '../errors.js'
import { sanitizeInline, sanitizeText } from '../output/sanitize.js'
import { redactText } from '../redact.js'
import { Runtime } from './runtime.js'

export type FlagsOf<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>
export type ArgsOf<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

/**
 * Every command's base: the global flags, one Runtime, and the one error boundary that prints
 * `error:`/`hint:` (or the JSON error document) on stderr and sets the exit code from SPEC.md.
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override baseFlags = {
    profile: Flags.string({ char: 'p', summary: 'Profile to use (default: the default profile).', env: 'OAUTHCTL_PROFILE', helpGroup: 'GLOBAL' }),
    json: Flags.boolean({ summary: 'Print one JSON document on stdout.', helpGroup: 'GLOBAL' }),
    verbose: Flags.boolean({ char: 'v', summary: 'HTTP trace on stderr, secrets redacted (also OAUTHCTL_DEBUG=1).', helpGroup: 'GLOBAL' }),
    'no-color': Flags.boolean({ summary: 'Plain output (also NO_COLOR, or when stdout is not a terminal).', helpGroup: 'GLOBAL' }),
    storage: Flags.string({ summary: 'Where secrets live: keychain, file or none (also OAUTHCTL_STORAGE).', options: ['keychain', 'file', 'none'], helpGroup: 'GLOBAL' }),
    'ca-file': Flags.string({ summary: 'Extra trusted CA certificates, PEM (also NODE_EXTRA_CA_CERTS).', helpGroup: 'GLOBAL' }),
    insecure: Flags.boolean({ summary: 'Skip TLS verification. Never the default; warns loudly.', helpGroup: 'GLOBAL' }),
  }

  protected flags!: FlagsOf<T>
  protected args!: ArgsOf<T>
  protected rt!: Runtime
  /** Arguments after `--` (and any extra ones) for commands with `strict = false`. */
  protected rest: string[] = []

  override async init(): Promise<void> {
    await super.init()
    const ctor = this.ctor as unknown as typeof BaseCommand
    const { args, flags, argv } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: ctor.baseFlags,
      args: this.ctor.args,
      strict: this.ctor.strict,
    })
    this.flags = flags as FlagsOf<T>
    this.args = args as ArgsOf<T>
    this.rest = argv as string[]
    this.rt = new Runtime({
      profile: this.flags.profile,
      json: this.flags.json,
      verbose: this.flags.verbose,
      color: !this.flags['no-color'] && !process.env.NO_COLOR && Boolean(process.stdout.isTTY),
      storage: this.flags.storage,
      caFile: this.flags['ca-file'],
      insecure: this.flags.insecure,
    })
  }

  /** Print the result: the JSON document with --json, else the human rendering (if any). */
  protected output<R>(result: R, human: (result: R) => string | undefined): void {
    if (this.flags.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
      return
    }
    const text = human(result)
    if (text !== undefined && text !== '') process.stdout.write(sanitizeText(text.endsWith('\n') ? text : `${text}\n`))
  }

  protected override async catch(err: Error & { exitCode?: number }): Promise<void> {
    const error = toCliError(err)
    const json = this.flags?.json ?? this.argv.includes('--json')
    const message = printable(redactText(error.message))
    if (json) {
      const body: Record<string, unknown> = { code: error.code, message, status: error.exitCode }
      if (error.httpStatus) body.httpStatus = error.httpStatus
      if (error.hint) body.hint = error.hint
      process.stderr.write(`${JSON.stringify({ error: body })}\n`)
    } else {
      process.stderr.write(`error: ${message}\n`)
      if (error.hint) process.stderr.write(`hint: ${printable(redactText(error.hint))}\n`)
      if (error.kind === 'internal' && process.env.OAUTHCTL_DEBUG === '1' && err.stack) process.stderr.write(`${redactText(err.stack)}\n`)
    }
    process.exitCode = error.exitCode
  }

  protected override async finally(err: Error | undefined): Promise<unknown> {
    await this.rt?.close()
    return super.finally(err)
  }
}

/** Anything thrown becomes a CliError; what we did not expect is a bug (exit 1). */
export function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err
  const e = err as { parse?: unknown; flags?: string[]; args?: string[]; message?: string; oclif?: { exit?: number } }
  if (e && typeof e === 'object' && 'parse' in e) {
    // Never echo what followed an unknown flag: it may be a secret typed by mistake.
    if (Array.isArray(e.flags)) {
      return usageError(`unknown flag ${e.flags.map((f) => flagShown(f.split('=')[0] ?? '')).join(', ')}`, {
        code: 'unknown_flag',
        hint: 'see --help; an argument that starts with "-" (such as some client ids) goes after --',
      })
    }
    if (Array.isArray(e.args)) return usageError(`unexpected argument${e.args.length > 1 ? 's' : ''} (${e.args.length})`, { code: 'unexpected_argument', hint: 'see --help' })
    return usageError(firstLine(e.message), { code: 'bad_flag', hint: 'see --help' })
  }
  return new CliError('internal', `internal error: ${firstLine((err as Error)?.message ?? String(err))}`, {
    code: 'internal',
    hint: 'this is a bug in oauthctl; rerun with OAUTHCTL_DEBUG=1 for the stack trace',
    cause: err,
  })
}

/**
 * An unknown flag by name; anything that does not look like a flag name is described, not shown:
 * it is likely a value that starts with "-", such as an opaque token (base64url), given before --.
 */
const flagShown = (flag: string) => (/^--?[A-Za-z][A-Za-z0-9-]{0,39}$/.test(flag) ? flag : `(an argument of ${flag.length} characters starting with "-")`)

/** Server-supplied text reaches a terminal: control characters shown escaped, one line (output/sanitize.ts). */
const printable = sanitizeInline

const firstLine = (text: string | undefined) => (text ?? '').split('\n')[0] ?? ''
