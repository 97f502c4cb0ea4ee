import { existsSync, fstatSync } from 'node:fs'
import { join } from 'node:path'
import { configDir } from '../lib/config/paths.js'
import { type ResolvedProfile, resolveProfile } from '../lib/config/profiles.js'
import type { Config, Profile } from '../lib/config/schema.js'
import type { Edges } from '../lib/use-cases/edges.js'
import { loadConfig } from '../lib/config/store.js'
import type { HttpClient } from '../lib/http/client.js'
import type { OAuthSession } from '../lib/oauth/session.js'
import type { TokenContext } from '../lib/tokens/context.js'
import { ASCII_FRAMES, NO_PROGRESS, type Progress, TerminalProgress } from '../lib/output/progress.js'
import { sanitizeText } from '../lib/output/sanitize.js'
import { redactText } from '../lib/redact.js'
import { chooseStorage, openStore, type StorageChoice } from '../lib/storage/index.js'
import type { SecretStore } from '../lib/storage/types.js'
import { colourEnabled, type Styles, styles } from './colour.js'
import { nowSeconds } from '../lib/tokens/cache.js'

/** The global flags every command takes (SPEC.md "Global flags and environment"). */
export interface GlobalOptions {
  profile?: string
  json: boolean
  verbose: boolean
  /** `--no-color`. */
  noColor: boolean
  /** `--quiet`: no progress lines. */
  quiet: boolean
  /** `--explain`: the trace as numbered steps with their purpose and checks (takes the place of `-v`'s). */
  explain?: boolean
  storage?: string
  caFile?: string
  insecure: boolean
}

export interface Io {
  stdout: (text: string) => void
  stderr: (text: string) => void
  /** Which of the two is a terminal: colour and progress are for terminals only. */
  tty: { stdout: boolean; stderr: boolean }
  /** stdout goes into a pipe: maybe to a pager that shares the terminal with stderr. */
  stdoutIsPipe: boolean
  /** stderr's width, for the progress line. */
  columns?: () => number | undefined
}

const PROCESS_IO: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  tty: { stdout: Boolean(process.stdout.isTTY), stderr: Boolean(process.stderr.isTTY) },
  stdoutIsPipe: isPipe(1),
  columns: () => process.stderr.columns,
}

function isPipe(fd: number): boolean {
  try {
    return fstatSync(fd).isFIFO()
  } catch {
    return false
  }
}

/**
 * The progress line is drawn only for a person watching: stderr is a terminal, and stdout does not
 * go into a pipe (`| less` would share the terminal and be drawn over; `| cat` and `$(…)` gain
 * nothing), and neither --quiet nor --json asked for quiet.
 */
export const wantsProgress = (io: Pick<Io, 'tty' | 'stdoutIsPipe'>, options: Pick<GlobalOptions, 'quiet' | 'json'>): boolean =>
  io.tty.stderr && !io.stdoutIsPipe && !options.quiet && !options.json

const seconds = (value: string | undefined, fallback: number) => {
  const n = Number(value)
  return value && Number.isFinite(n) && n > 0 ? n * 1000 : fallback
}

/**
 * What a command run shares: the global options, the environment, the config, the chosen secret
 * store and one HTTP client. Each is built on first use, so a command pays only for what it touches.
 */
export class Runtime implements Edges {
  readonly configDir: string
  readonly now = nowSeconds
  private configPromise?: Promise<Config>
  private readonly stores = new Map<string, Promise<SecretStore>>()
  private httpClient?: HttpClient
  /** Styles for text on stdout and on stderr: each stream's own colour decision. */
  readonly style: { stdout: Styles; stderr: Styles }
  /** The progress line for waits: on stderr when it is a terminal, never with --quiet or --json. */
  readonly progress: Progress
  readonly io: Io

  constructor(
    readonly options: GlobalOptions,
    readonly env: NodeJS.ProcessEnv = process.env,
    io: Io = PROCESS_IO,
  ) {
    this.configDir = configDir(env)
    const colour = (isTTY: boolean) => styles(colourEnabled({ env, noColorFlag: options.noColor, isTTY }))
    this.style = { stdout: colour(io.tty.stdout), stderr: colour(io.tty.stderr) }
    if (wantsProgress(io, options)) {
      const line = new TerminalProgress(
        { write: (t) => io.stderr(t), get columns() { return io.columns?.() } },
        { frames: env.TERM === 'dumb' ? ASCII_FRAMES : undefined },
      )
      this.progress = line
      // Whatever else goes to stderr (warnings, the trace) takes the line away first.
      this.io = { ...io, stderr: (t) => line.above(() => io.stderr(t)) }
    } else {
      this.progress = NO_PROGRESS
      this.io = io
    }
    if (options.insecure) this.warn('TLS verification is OFF (--insecure): anyone on the network path can read and change this traffic')
  }

  /** A prompt, with the progress line out of its way while it is open. */
  prompt<T>(ask: () => Promise<T>): Promise<T> {
    return this.progress instanceof TerminalProgress ? this.progress.paused(ask) : ask()
  }

  warn(message: string): void {
    this.io.stderr(`${this.style.stderr.warning('warning:')} ${sanitizeText(redactText(message))}\n`)
  }

  info(message: string): void {
    this.io.stderr(`${sanitizeText(redactText(message))}\n`)
  }

  config(): Promise<Config> {
    this.configPromise ??= loadConfig(this.configDir)
    return this.configPromise
  }

  /** The profile asked for by -p or OAUTHCTL_PROFILE, if any. */
  get requestedProfile(): string | undefined {
    return this.options.profile ?? (this.env.OAUTHCTL_PROFILE || undefined)
  }

  async profile(): Promise<ResolvedProfile> {
    return resolveProfile(await this.config(), this.requestedProfile, this.env)
  }

  storageChoice(profile?: Profile): StorageChoice {
    return chooseStorage(this.options.storage, this.env, profile?.storage)
  }

  async store(profile?: Profile): Promise<SecretStore> {
    const { kind } = this.storageChoice(profile)
    let store = this.stores.get(kind)
    if (!store) {
      store = openStore(kind, this.configDir, this.env).then((s) => (kind === 'file' ? this.warnOnWrite(s) : s))
      this.stores.set(kind, store)
    }
    return store
  }

  async http(): Promise<HttpClient> {
    if (!this.httpClient) {
      const [{ HttpClient }, { explainTrace, verboseTrace }] = await Promise.all([import('../lib/http/client.js'), import('../lib/http/trace.js')])
      const line = (text: string) => this.io.stderr(`${text}\n`)
      this.httpClient = new HttpClient({
        insecure: this.options.insecure,
        caFile: this.options.caFile,
        connectTimeoutMs: seconds(this.env.OAUTHCTL_CONNECT_TIMEOUT, 10_000),
        requestTimeoutMs: seconds(this.env.OAUTHCTL_TIMEOUT, 30_000),
        trace: this.options.explain ? explainTrace(line) : this.options.verbose || this.env.OAUTHCTL_DEBUG === '1' ? verboseTrace(line) : undefined,
        progress: this.progress,
      })
    }
    return this.httpClient
  }

  /** Everything the token use cases need for the current profile. */
  async tokenContext(): Promise<TokenContext> {
    const { name, profile } = await this.profile()
    return { profileName: name, profile, store: await this.store(profile), http: await this.http(), env: this.env, configDir: this.configDir, now: this.now }
  }

  /** An oauth4webapi session for the current profile. */
  async session(ctx?: TokenContext): Promise<OAuthSession> {
    const { openSession } = await import('../lib/use-cases/session.js')
    return openSession(ctx ?? (await this.tokenContext()))
  }

  async close(): Promise<void> {
    if (this.progress instanceof TerminalProgress) this.progress.close()
    await this.httpClient?.close()
  }

  /** The file store is chosen on purpose, but worth one reminder: when it creates the credentials file. */
  private warnOnWrite(store: SecretStore): SecretStore {
    const set = store.set.bind(store)
    const path = join(this.configDir, 'credentials.json')
    store.set = async (key, value) => {
      if (!existsSync(path)) this.warn(`secrets are kept in ${path} (mode 0600), not in the OS keychain`)
      await set(key, value)
    }
    return store
  }
}
