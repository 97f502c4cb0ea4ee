import { decodeJwt } from 'jose'
import { z } from 'zod'
import { defaultProfile, ENV_PROFILE_NAME, profileFromEnv, resolveProfile } from '../config/profiles.js'
import type { Config, Profile } from '../config/schema.js'
import type { Edges } from './edges.js'
import { authRequired, CliError } from '../errors.js'
import { renderTable } from '../output/table.js'
import { hasClientCredentials, lookupClientSecret } from '../secrets.js'
import { checkWithServer, type StatusCheck } from './status-check.js'
import { secretKeys } from '../storage/keys.js'
import type { SecretStore } from '../storage/types.js'
import { DEFAULT_MIN_TTL_SECONDS } from '../tokens/cache.js'
import { grantedScopes, resolveCachedToken, tokenBinding } from '../tokens/cached-token.js'
import { expiryJson } from '../tokens/token-output.js'
import { ProfileStatusSchema, StatusReportSchema, TokenStatusSchema } from '../documents/json-schemas.js'
import { readStoredToken } from './get-token.js'
import { formatDuration } from '../tokens/inspect.js'
import { parseStoredToken, type StoredToken } from '../tokens/token-set.js'

export type TokenStatus = z.infer<typeof TokenStatusSchema>
export type ProfileStatus = z.infer<typeof ProfileStatusSchema>
export type StatusReport = z.infer<typeof StatusReportSchema>

export interface StatusOptions {
  /** -p / OAUTHCTL_PROFILE: that profile only. */
  profile?: string
  /** --check: ask the server too. */
  check: boolean
}

/** The report, and the error the command exits with after printing it (undefined: exit 0). */
export interface StatusOutcome {
  report: StatusReport
  verdict?: CliError
}

interface Assessed {
  status: ProfileStatus
  verdict?: CliError
}

/**
 * `status`: with a profile named, that profile, and its verdict; otherwise every profile, judged by
 * the one commands use when none is named (the environment profile, else the default). With several
 * profiles and no default there is nothing to judge: the list is the answer (exit 0).
 */
export async function status(config: Config, options: StatusOptions, edges: Edges): Promise<StatusOutcome> {
  if (options.profile) {
    const { name, profile } = resolveProfile(config, options.profile, edges.env)
    const one = await assess(name, profile, config.defaultProfile === name, options.check, edges)
    return { report: { profiles: [one.status] }, verdict: one.verdict }
  }
  const profiles: [string, Profile][] = Object.entries(config.profiles)
  const fromEnv = profileFromEnv(edges.env)
  if (fromEnv) profiles.push([ENV_PROFILE_NAME, fromEnv])
  const judged = defaultProfile(config, edges.env)
  const report: StatusReport = { profiles: [] }
  let verdict = judged.missing
  for (const [name, profile] of profiles) {
    const one = await assess(name, profile, config.defaultProfile === name, options.check, edges)
    report.profiles.push(one.status)
    if (name === judged.resolved?.name) verdict = one.verdict
  }
  return { report, verdict }
}

async function assess(name: string, profile: Profile, isDefault: boolean, check: boolean, edges: Edges): Promise<Assessed> {
  const local = await localStatus(name, profile, isDefault, edges)
  if (!check || local.status.state !== 'usable') return local
  const checked = await checkWithServer(name, profile, edges)
  // The check may have refreshed or obtained a token: the status shows what is stored now.
  const after = await localStatus(name, profile, isDefault, edges)
  return { status: { ...after.status, check: checked.check }, verdict: checked.verdict ?? after.verdict }
}

/** What the profile can do with what is stored, without asking any server. A store that cannot be read is exit 6. */
async function localStatus(name: string, profile: Profile, isDefault: boolean, edges: Edges): Promise<Assessed> {
  const choice = edges.storageChoice(profile)
  const base = { name, default: isDefault, provider: profile.provider, storage: choice.kind, storageSource: choice.source }
  let store: SecretStore
  let tokens: TokenStatus[]
  let usableBy: ProfileStatus['usableBy']
  let hasClientSecret: boolean
  try {
    store = await edges.store(profile)
    const now = edges.now()
    tokens = await storedTokens(name, profile, store, now)
    const secret = await lookupClientSecret(name, store, edges.env)
    hasClientSecret = secret !== undefined
    usableBy = await howUsable(name, profile, store, now, hasClientCredentials(profile, secret))
  } catch (err) {
    if (!(err instanceof CliError) || err.kind !== 'storage') throw err
    const status = { ...base, state: 'storage_unavailable' as const, storageError: err.message, loggedIn: false, hasClientSecret: false, tokens: [] }
    return { status, verdict: new CliError('storage', `profile ${name}: ${err.message}`, { code: err.code, hint: err.hint, cause: err }) }
  }
  const loggedIn = tokens.some((t) => t.expiresIn > 0 || t.refreshable)
  if (usableBy) return { status: { ...base, state: 'usable', usableBy, loggedIn, hasClientSecret, tokens } }
  const verdict = authRequired(`profile ${name} needs a login: no valid token, no refresh token and no client credentials`, {
    code: 'not_logged_in',
    hint:
      name === ENV_PROFILE_NAME
        ? 'set OAUTHCTL_CLIENT_SECRET for the environment profile'
        : `run oauthctl login -p ${name}, or store a client secret: printf %s "$SECRET" | oauthctl profiles add ${name} --client-secret-stdin`,
  })
  return { status: { ...base, state: 'needs_login', loggedIn, hasClientSecret, tokens }, verdict }
}

/** `token get`'s order: a cached token that serves (the same rule), else the session's refresh token, else client credentials. */
async function howUsable(name: string, profile: Profile, store: SecretStore, now: number, clientCredentials: boolean): Promise<ProfileStatus['usableBy']> {
  const read = (key: string) => store.get(key)
  if (await resolveCachedToken({ profileName: name, profile, minTtl: DEFAULT_MIN_TTL_SECONDS, now, read })) return 'cached_token'
  if ((await readStoredToken({ profileName: name, profile, store }))?.refresh_token) return 'refresh_token'
  return clientCredentials ? 'client_credentials' : undefined
}

/** Every token stored for the profile (tokens of another server or client, after a re-add, are not its any more). */
async function storedTokens(name: string, profile: Profile, store: SecretStore, now: number): Promise<TokenStatus[]> {
  const binding = tokenBinding(profile)
  const tokens: TokenStatus[] = []
  for (const key of await store.list(secretKeys.tokenPrefix(name))) {
    const token = parseStoredToken(await store.get(key), binding)
    if (token) tokens.push(describeToken(token, now))
  }
  return tokens
}

function describeToken(token: StoredToken, now: number): TokenStatus {
  return {
    scopes: grantedScopes(token),
    audience: token.requested.audience,
    resource: token.requested.resource,
    ...expiryJson(token.expires_at),
    expiresIn: token.expires_at - now,
    refreshable: Boolean(token.refresh_token),
    subject: subjectOf(token.id_token, token.access_token),
    grant: token.grant,
  }
}

function subjectOf(idToken: string | undefined, accessToken: string): string | undefined {
  for (const jwt of [idToken, accessToken]) {
    if (!jwt) continue
    try {
      const sub = decodeJwt(jwt).sub
      if (sub) return sub
    } catch {
      // not a JWT (opaque access token): the next candidate, or no subject
    }
  }
  return undefined
}

const USABLE_BY: Record<NonNullable<ProfileStatus['usableBy']>, string> = {
  cached_token: 'usable (cached token)',
  refresh_token: 'usable (refresh token)',
  client_credentials: 'usable (client credentials)',
}

const METHOD: Record<StatusCheck['method'], string> = { introspection: 'introspection', userinfo: 'userinfo', token_request: 'token request' }

function describeCheck(check: StatusCheck | undefined): string {
  if (!check) return ''
  const said =
    check.result === 'ok'
      ? check.active
        ? 'active'
        : 'ok'
      : check.active === false
        ? 'inactive'
        : check.result === 'rejected'
          ? `refused${check.httpStatus ? ` HTTP ${check.httpStatus}` : ''}`
          : 'failed'
  return `${said} (${METHOD[check.method]})`
}

function describeExpiry(token: TokenStatus | undefined): string {
  if (!token) return ''
  if (token.expiresIn > 0) return `in ${formatDuration(token.expiresIn)}`
  return `expired${token.refreshable ? ' (refreshable)' : ''}`
}

/** `status` for people: one row a profile (the default marked *), its state, its best token, and what the server said. */
export function describeStatus(report: StatusReport, style?: (column: string, text: string) => string): string {
  if (report.profiles.length === 0) return 'no profiles yet: oauthctl profiles add NAME --issuer URL --client-id ID'
  const checked = report.profiles.some((p) => p.check)
  const rows = report.profiles.map((s) => {
    const best = [...s.tokens].sort((a, b) => b.expiresIn - a.expiresIn)[0]
    return {
      profile: s.default ? `${s.name} *` : s.name,
      state: s.usableBy ? USABLE_BY[s.usableBy] : s.state === 'storage_unavailable' ? 'storage unavailable' : 'needs login',
      subject: best?.subject ?? '',
      expires: describeExpiry(best),
      scopes: best?.scopes.join(' ') ?? '',
      storage: s.storage,
      check: describeCheck(s.check),
    }
  })
  const columns: [keyof (typeof rows)[number], string][] = [
    ['profile', 'PROFILE'],
    ['state', 'STATE'],
    ['subject', 'SUBJECT'],
    ['expires', 'EXPIRES'],
    ['scopes', 'SCOPES'],
    ['storage', 'STORAGE'],
  ]
  if (checked) columns.push(['check', 'SERVER'])
  return renderTable(rows, columns, style)
}
