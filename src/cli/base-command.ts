import { Command, Flags, type Interfaces } from '@oclif/core'
import { CliError, usageError } from '../lib/errors.js'
import type { JsonDocument } from '../lib/documents/json-schemas.js'
import { sanitizeInline, sanitizeText } from '../lib/output/sanitize.js'
import { redactText } from '../lib/redact.js'
import { colourEnabled, type Styles, styles } from './colour.js'
import { closest, flagShown, isPlausibleFlagName } from './command-line.js'
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
    explain: Flags.boolean({ summary: 'Each request and response as a numbered step on stderr: what it is for, timings, the checks that passed (secrets redacted).', helpGroup: 'GLOBAL' }),
    'no-color': Flags.boolean({ summary: 'Plain output (also NO_COLOR or TERM=dumb, and where the output is not a terminal).', helpGroup: 'GLOBAL' }),
    quiet: Flags.boolean({ char: 'q', summary: 'No progress lines on stderr (errors, warnings and prompts still show).', helpGroup: 'GLOBAL' }),
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
      noColor: this.flags['no-color'],
      quiet: this.flags.quiet,
      explain: this.flags.explain,
      storage: this.flags.storage,
      caFile: this.flags['ca-file'],
      insecure: this.flags.insecure,
    })
  }

  /**
   * Print the result: the JSON document with --json, else the human rendering (if any), control
   * characters escaped. `escaped`: the rendering escaped its parts itself (renderTable does) and
   * carries colour, which escaping again would show as text.
   */
  protected output<R>(result: R, human: (result: R) => string | undefined, options: { escaped?: boolean } = {}): void {
    if (this.flags.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
      return
    }
    const text = human(result)
    if (text === undefined || text === '') return
    const line = text.endsWith('\n') ? text : `${text}\n`
    process.stdout.write(options.escaped ? line : sanitizeText(line))
  }

  /**
   * Print the result, then fail with `verdict` when there is one: for reports whose answer is the
   * exit code too (`status` of a profile that needs a login, `doctor` with a failed check). The
   * document is on stdout either way; the error line and the exit code come from the one boundary.
   */
  protected report<R>(result: R, human: (result: R) => string | undefined, verdict: CliError | undefined, options: { escaped?: boolean } = {}): void {
    this.output(result, human, options)
    if (verdict) throw verdict
  }

  protected override async catch(err: Error & { exitCode?: number }): Promise<void> {
    const error = await this.withSecretHint(toCliError(err, { usage: this.usage(), flags: this.flagNames() }))
    reportError(error, this.flags?.json ?? this.argv.includes('--json'), err, this.rt?.style.stderr)
  }

  /** `oauthctl profiles add NAME [flags]`: the line a missing argument points to. */
  private usage(): string {
    const args = Object.values(this.ctor.args ?? {}).map((a) => (a.required ? a.name.toUpperCase() : `[${a.name.toUpperCase()}]`))
    return [this.config.bin, ...(this.id ?? '').split(':'), ...args, '[flags]'].join(' ')
  }

  /** Every flag this command takes, as typed: `--scope`, `-p`. */
  private flagNames(): string[] {
    const ctor = this.ctor as unknown as typeof BaseCommand
    return Object.entries({ ...ctor.baseFlags, ...this.ctor.flags }).flatMap(([name, f]) => [`--${name}`, ...(f.char ? [`-${f.char}`] : [])])
  }

  /**
   * A client the server does not accept (`invalid_client`): most often the stored secret is wrong,
   * so the hint says how to store the right one for this very profile.
   */
  private async withSecretHint(error: CliError): Promise<CliError> {
    if (error.code !== 'invalid_client') return error
    const resolved = await this.rt?.profile().catch(() => undefined)
    const secretHint =
      resolved?.source === 'env'
        ? 'check OAUTHCTL_CLIENT_ID and OAUTHCTL_CLIENT_SECRET: the server did not accept that client and secret'
        : `check the client id and secret: store the right secret with printf %s "$SECRET" | oauthctl profiles add ${resolved?.name ?? 'NAME'} --client-secret-stdin`
    // A hint from below (the Basic encoding may be why) comes second: a wrong secret is the likelier cause.
    const hint = error.hint ? `${secretHint}; if they are right, ${error.hint}` : secretHint
    return new CliError(error.kind, error.message, { code: error.code, httpStatus: error.httpStatus, hint, cause: error })
  }

  protected override async finally(err: Error | undefined): Promise<unknown> {
    await this.rt?.close()
    return super.finally(err)
  }
}

/**
 * Print an error as SPEC.md says: `error:` and `hint:` lines on stderr, or the JSON error document
 * with --json; and set the exit code. The one renderer, for commands and the hooks that run before one.
 * `style`: the command's stderr styles; before a command has parsed its flags, decided from argv.
 */
export function reportError(error: CliError, json: boolean, original?: Error, style: Styles = stderrStyles(process.argv)): void {
  const message = sanitizeInline(redactText(error.message))
  if (json) {
    const body: JsonDocument<'error'>['error'] = { code: error.code, message, status: error.exitCode }
    if (error.httpStatus) body.httpStatus = error.httpStatus
    if (error.hint) body.hint = sanitizeInline(redactText(error.hint))
    process.stderr.write(`${JSON.stringify({ error: body })}\n`)
  } else {
    process.stderr.write(`${style.error('error:')} ${message}\n`)
    if (error.hint) process.stderr.write(`hint: ${sanitizeInline(redactText(error.hint))}\n`)
    if (error.kind === 'internal' && process.env.OAUTHCTL_DEBUG === '1' && original?.stack) process.stderr.write(`${redactText(original.stack)}\n`)
  }
  process.exitCode = error.exitCode
}

const stderrStyles = (argv: readonly string[]) =>
  styles(colourEnabled({ env: process.env, noColorFlag: argv.includes('--no-color'), isTTY: Boolean(process.stderr.isTTY) }))

/** What the boundary knows of the command that failed to parse. */
export interface ParseContext {
  /** Its usage line, e.g. `oauthctl profiles add NAME [flags]`. */
  usage?: string
  /** Its flags as typed (`--scope`, `-p`), to suggest the one a typo meant. */
  flags?: readonly string[]
}

/**
 * Anything thrown becomes a CliError; what we did not expect is a bug (exit 1). oclif's parse
 * errors (some are plain CLIErrors, told apart by their text) become usage errors (exit 2) that
 * name the flag or argument and never repeat a value.
 */
export function toCliError(err: unknown, context: ParseContext = {}): CliError {
  const e = err as { parse?: unknown; flags?: string[]; args?: unknown[]; message?: string }
  const message = e?.message ?? ''
  const seeHelp = context.usage ? `usage: ${context.usage} (more with --help)` : 'see --help'
  // A flag's parse function failed (oclif prefixes "Parsing --NAME"): integerFlag's message says what the
  // flag takes; oclif's own messages repeat the value, so they are not shown.
  const parsing = /^Parsing (--[\w-]+) \n\t(.*)/.exec(message)
  if (parsing) {
    const [, flag, inner = ''] = parsing
    const what = /^must be /.test(inner) ? inner : /^Expected an integer/.test(inner) ? 'must be a whole number' : 'has a value it cannot take'
    return usageError(`${flag} ${what}`, { code: 'bad_flag_value', hint: seeHelp })
  }
  if (err instanceof CliError) return err
  const needsValue = /^Flag (--[\w-]+) expects a value/.exec(message)
  if (needsValue) return usageError(`${needsValue[1]} needs a value`, { code: 'missing_flag_value', hint: `put the value after it: ${needsValue[1]} VALUE` })
  const oneOf = /^(?:Flag (--[\w-]+) expects one of these values|Expected --([\w-]+)=.* to be one of): (.*)/.exec(message)
  if (oneOf) return usageError(`${oneOf[1] ?? `--${oneOf[2]}`} must be one of: ${firstLine(oneOf[3])}`, { code: 'bad_flag_value' })
  const once = /^Flag (--[\w-]+) can only be specified once/.exec(message)
  if (once) return usageError(`${once[1]} can be given only once`, { code: 'repeated_flag' })
  if (e && typeof e === 'object' && 'parse' in e) {
    if (Array.isArray(e.flags)) return unknownFlags(e.flags, context.flags ?? [])
    // RequiredArgsError carries the missing arguments' definitions; UnexpectedArgsError the extra words.
    const missing = (e.args ?? []).flatMap((a) => (typeof a === 'object' && a !== null && typeof (a as { name?: unknown }).name === 'string' ? [(a as { name: string }).name] : []))
    if (missing.length > 0) return usageError(`missing argument ${missing.map((name) => name.toUpperCase()).join(' ')}`, { code: 'missing_argument', hint: seeHelp })
    if (Array.isArray(e.args)) return usageError(`unexpected argument${e.args.length > 1 ? 's' : ''} (${e.args.length})`, { code: 'unexpected_argument', hint: seeHelp })
    return usageError(firstLine(message), { code: 'bad_flag', hint: 'see --help' })
  }
  return new CliError('internal', `internal error: ${firstLine(message || String(err))}`, {
    code: 'internal',
    hint: 'this is a bug in oauthctl; rerun with OAUTHCTL_DEBUG=1 for the stack trace',
    cause: err,
  })
}

/**
 * Unknown flags, named only when they read as a mistyped flag name (then with the nearest real
 * one); anything else is described: it is likely a value given before --, maybe a secret.
 */
function unknownFlags(typed: readonly string[], known: readonly string[]): CliError {
  const names = typed.map((f) => f.split('=')[0] ?? '')
  const suggestion = names.length === 1 && isPlausibleFlagName(names[0] ?? '') ? closest(names[0] ?? '', known) : undefined
  return usageError(`unknown flag ${names.map(flagShown).join(', ')}`, {
    code: 'unknown_flag',
    hint: suggestion ? `did you mean ${suggestion}? (see --help)` : 'see --help; an argument that starts with "-" (such as some client ids) goes after --',
  })
}

interface IntegerFlagOptions {
  summary: string
  min?: number
  max?: number
  helpGroup?: string
  helpValue?: string
  exclusive?: string[]
  dependsOn?: string[]
}
/**
 * An integer flag whose bad value gets one message naming the flag and what it takes
 * (`--min-ttl must be a number of seconds`), never repeating the value. `what`: that phrase.
 */
export function integerFlag(what: string, options: IntegerFlagOptions & { default: number }): Interfaces.OptionFlag<number>
export function integerFlag(what: string, options: IntegerFlagOptions): Interfaces.OptionFlag<number | undefined>
export function integerFlag(what: string, options: IntegerFlagOptions & { default?: number }) {
  const { min, max } = options
  const range = min !== undefined && max !== undefined ? `, ${min} to ${max}` : min ? `, at least ${min}` : ''
  const parse = async (input: string) => {
    const n = /^\d{1,15}$/.test(input) ? Number(input) : Number.NaN
    if (Number.isNaN(n) || (min !== undefined && n < min) || (max !== undefined && n > max)) throw new Error(`must be ${what}${range}`)
    return n
  }
  return Flags.integer({ ...options, parse })
}

const firstLine = (text: string | undefined) => (text ?? '').split('\n')[0] ?? ''
