import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { configDir } from '../lib/config/paths.js'
import { type ResolvedProfile, resolveProfile } from '../lib/config/profiles.js'
import type { Config, Profile } from '../lib/config/schema.js'
import type { Edges } from '../lib/edges.js'
import { loadConfig } from '../lib/config/store.js'
import type { HttpClient } from '../lib/http/client.js'
import type { OAuthSession } from '../lib/oauth/session.js'
import type { TokenContext } from '../lib/tokens/get-token.js'
import { sanitizeText } from '../lib/output/sanitize.js'
import { redactText } from '../lib/redact.js'
import { chooseStorage, openStore, type StorageChoice } from '../lib/storage/index.js'
import type { SecretStore } from '../lib/storage/types.js'
import { nowSeconds } from '../lib/tokens/cache.js'

/** The global flags every command takes (SPEC.md "Global flags and environment"). */
export interface GlobalOptions {
  profile?: string
  json: boolean
  verbose: boolean
  color: boolean
  storage?: string
  caFile?: string
  insecure: boolean
}

export interface Io {
  stdout: (text: string) => void
  stderr: (text: string) => void
}

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

  constructor(
    readonly options: GlobalOptions,
    readonly env: NodeJS.ProcessEnv = process.env,
    readonly io: Io = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) },
  ) {
    this.configDir = configDir(env)
    if (options.insecure) this.warn('TLS verification is OFF (--insecure): anyone on the network path can read and change this traffic')
  }

  warn(message: string): void {
    this.io.stderr(`warning: ${sanitizeText(redactText(message))}\n`)
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
      const { HttpClient } = await import('../lib/http/client.js')
      this.httpClient = new HttpClient({
        insecure: this.options.insecure,
        caFile: this.options.caFile,
        connectTimeoutMs: seconds(this.env.OAUTHCTL_CONNECT_TIMEOUT, 10_000),
        requestTimeoutMs: seconds(this.env.OAUTHCTL_TIMEOUT, 30_000),
        trace: this.options.verbose || this.env.OAUTHCTL_DEBUG === '1' ? (line) => this.io.stderr(`${line}\n`) : undefined,
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
    const { openSession } = await import('../lib/tokens/get-token.js')
    return openSession(ctx ?? (await this.tokenContext()))
  }

  async close(): Promise<void> {
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
