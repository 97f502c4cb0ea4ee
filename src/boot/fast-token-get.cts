import { readFileSync } from 'node:fs'
import { configDir, configFile, credentialsFile } from '../lib/config/paths.cjs'
import { isValidatedConfig } from '../lib/config/validated-stamp.cjs'
import { renderToken } from '../lib/output/token-output.cjs'
import { parseCredentials } from '../lib/storage/credentials-format.cjs'
import { DEFAULT_TIMEOUT_MS, KEYCHAIN_SERVICE, readKeychainValue } from '../lib/storage/keychain-read.cjs'
import { secretKeys } from '../lib/storage/keys.cjs'
import { DEFAULT_MIN_TTL_SECONDS, isFresh, nowSeconds, tokenCacheKey } from '../lib/tokens/cache.cjs'

/**
 * The hot path: `oauthctl token get [-p NAME]` with a cached token, answered in CommonJS before
 * the ESM loader, oclif, zod, undici or jose load. It shares the config paths, storage keys,
 * keychain format, cache key, freshness rule and output with the full command; anything it is not
 * sure of (another flag, a config not yet validated, a miss, an expired token, any error)
 * resolves false, and the full command runs and behaves exactly as it would have.
 */
export async function fastTokenGet(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const profileFlag = parseArgs(argv)
  if (profileFlag === false) return false
  // Environment-only profiles and traces take the full path.
  if (env.OAUTHCTL_ISSUER || env.OAUTHCTL_TOKEN_ENDPOINT || env.OAUTHCTL_DEBUG === '1') return false
  try {
    const dir = configDir(env)
    const text = readFileSync(configFile(dir), 'utf8')
    if (!isValidatedConfig(dir, text)) return false
    const config = JSON.parse(text) as { defaultProfile?: string; profiles: Record<string, FastProfile> }
    const name = profileFlag ?? (env.OAUTHCTL_PROFILE || config.defaultProfile)
    const profile = name && Object.hasOwn(config.profiles, name) ? config.profiles[name] : undefined
    if (!name || !profile) return false
    const key = secretKeys.token(name, tokenCacheKey({ scopes: profile.scopes ?? [], audience: profile.audience, resource: profile.resource }))
    const value = await readSecret(env.OAUTHCTL_STORAGE || profile.storage || 'keychain', dir, key, env)
    if (!value) return false
    const token = JSON.parse(value) as { access_token?: unknown; expires_at?: number; token_type?: string }
    if (typeof token.access_token !== 'string' || !isFresh(token, DEFAULT_MIN_TTL_SECONDS, nowSeconds())) return false
    process.stdout.write(renderToken({ access_token: token.access_token, token_type: token.token_type ?? 'Bearer', expires_at: token.expires_at ?? 0 }, 'raw'))
    return true
  } catch {
    return false // whatever went wrong, the full command meets it again and reports it properly
  }
}

interface FastProfile {
  scopes?: string[]
  audience?: string
  resource?: string
  storage?: string
}

/** `token get` with at most a profile flag: the profile name (or undefined); false for anything else. */
function parseArgs(argv: readonly string[]): string | undefined | false {
  if (argv[0] !== 'token' || argv[1] !== 'get') return false
  const rest = argv.slice(2)
  if (rest.length === 0) return undefined
  if (rest.length === 2 && (rest[0] === '-p' || rest[0] === '--profile') && rest[1] && !rest[1].startsWith('-')) return rest[1]
  if (rest.length === 1 && rest[0]?.startsWith('--profile=')) return rest[0].slice('--profile='.length) || false
  return false
}

async function readSecret(kind: string, dir: string, key: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (kind === 'file') {
    const credentials = parseCredentials(readFileSync(credentialsFile(dir), 'utf8'))
    return 'invalid' in credentials || !Object.hasOwn(credentials.entries, key) ? undefined : credentials.entries[key]
  }
  if (kind === 'keychain') {
    const access = { service: KEYCHAIN_SERVICE, allowKernelKeyring: env.OAUTHCTL_KEYCHAIN_ALLOW_KERNEL === '1', timeoutMs: DEFAULT_TIMEOUT_MS }
    return readKeychainValue(access, key)
  }
  return undefined
}
