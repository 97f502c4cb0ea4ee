import { authRequired, CliError, usageError } from '../errors.js'
import { KnownProfileSchema } from '../vendors/registry.js'
import { describeIssue } from './json-file.js'
import type { Config, Profile } from './schema.js'

export const ENV_PROFILE_NAME = 'env'

export interface ResolvedProfile {
  name: string
  profile: Profile
  source: 'config' | 'env'
}

const splitList = (value: string | undefined) => (value ? value.split(/[\s,]+/).filter(Boolean) : [])

/** A profile made of OAUTHCTL_* variables alone, for CI with no config file; undefined when none are set. */
export function profileFromEnv(env: NodeJS.ProcessEnv): Profile | undefined {
  if (!env.OAUTHCTL_ISSUER && !env.OAUTHCTL_TOKEN_ENDPOINT) return undefined
  const result = KnownProfileSchema.safeParse({
    provider: env.OAUTHCTL_PROVIDER || undefined,
    issuer: env.OAUTHCTL_ISSUER || undefined,
    endpoints: env.OAUTHCTL_TOKEN_ENDPOINT ? { token: env.OAUTHCTL_TOKEN_ENDPOINT } : {},
    clientId: env.OAUTHCTL_CLIENT_ID || undefined,
    authMethod: env.OAUTHCTL_AUTH_METHOD || undefined,
    basicEncoding: env.OAUTHCTL_BASIC_ENCODING || undefined,
    scopes: splitList(env.OAUTHCTL_SCOPE),
  })
  if (!result.success) {
    const names: Record<string, string> = {
      provider: 'OAUTHCTL_PROVIDER',
      issuer: 'OAUTHCTL_ISSUER',
      endpoints: 'OAUTHCTL_TOKEN_ENDPOINT',
      clientId: 'OAUTHCTL_CLIENT_ID',
      authMethod: 'OAUTHCTL_AUTH_METHOD',
      basicEncoding: 'OAUTHCTL_BASIC_ENCODING',
    }
    const field = String(result.error.issues[0]?.path[0] ?? '')
    throw usageError(`${names[field] ?? 'environment profile'}: ${describeIssue(result.error)}`, { code: 'config_invalid' })
  }
  return result.data
}

/**
 * Which profile a command acts on: `-p`/OAUTHCTL_PROFILE names one from the config; otherwise an
 * environment-only profile when OAUTHCTL_ISSUER or OAUTHCTL_TOKEN_ENDPOINT is set; otherwise the default.
 */
export function resolveProfile(config: Config, requested: string | undefined, env: NodeJS.ProcessEnv): ResolvedProfile {
  if (requested) {
    const profile = Object.hasOwn(config.profiles, requested) ? config.profiles[requested] : undefined
    if (!profile) {
      throw usageError(`no profile named ${requested}`, { code: 'unknown_profile', hint: 'oauthctl profiles list shows the profiles there are' })
    }
    return { name: requested, profile, source: 'config' }
  }
  const fromEnv = profileFromEnv(env)
  if (fromEnv) return { name: ENV_PROFILE_NAME, profile: fromEnv, source: 'env' }
  const name = config.defaultProfile
  const profile = name && Object.hasOwn(config.profiles, name) ? config.profiles[name] : undefined
  if (name && profile) return { name, profile, source: 'config' }
  const names = Object.keys(config.profiles)
  if (names.length === 0) {
    throw authRequired('no profile is configured', {
      code: 'no_profile',
      hint: 'oauthctl profiles add NAME --issuer URL --client-id ID, or set OAUTHCTL_ISSUER and OAUTHCTL_CLIENT_ID',
    })
  }
  throw usageError('no default profile is set', { code: 'no_default_profile', hint: `pick one with -p NAME or oauthctl profiles use NAME (${names.join(', ')})` })
}

/**
 * The profile a command uses when none is named (the environment profile, else the default), if
 * there is one: `missing` says why not when no profile is configured at all (exit 3, as `token get`);
 * with several profiles and none marked default there is neither.
 */
export function defaultProfile(config: Config, env: NodeJS.ProcessEnv): { resolved?: ResolvedProfile; missing?: CliError } {
  try {
    return { resolved: resolveProfile(config, undefined, env) }
  } catch (err) {
    if (err instanceof CliError && err.code === 'no_default_profile') return {}
    if (err instanceof CliError && err.code === 'no_profile') return { missing: err }
    throw err
  }
}
