import { configDir, configFile, credentialsFile } from '../lib/config/paths.cjs'
import { isValidatedConfig } from '../lib/config/validated-stamp.cjs'
import { configDirProblem, readTextNoFollow } from '../lib/fs/safe-files.cjs'
import { renderToken } from '../lib/output/token-output.cjs'
import { parseCredentials } from '../lib/storage/credentials-format.cjs'
import { DEFAULT_TIMEOUT_MS, KEYCHAIN_SERVICE, readKeychainValue } from '../lib/storage/keychain-read.cjs'
import { DEFAULT_MIN_TTL_SECONDS, nowSeconds } from '../lib/tokens/cache.cjs'
import { resolveCachedToken, type RuleProfile } from '../lib/tokens/cached-token.cjs'

/**
 * The hot path: `oauthctl token get [-p NAME]` with a cached token, answered in CommonJS before
 * the ESM loader, oclif, zod, undici or jose load. It shares the config paths, storage keys,
 * keychain format, the cached-token rule (resolveCachedToken) and output with the full command;
 * anything it is not sure of (another flag, a config not yet validated, a config folder others
 * can write, a miss, an expired token, any error) resolves false, and the full command runs and
 * behaves (or reports) exactly as it would have.
 */
export async function fastTokenGet(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const profileFlag = parseArgs(argv)
  if (profileFlag === false) return false
  // Environment-only profiles and traces take the full path.
  if (env.OAUTHCTL_ISSUER || env.OAUTHCTL_TOKEN_ENDPOINT || env.OAUTHCTL_DEBUG === '1') return false
  try {
    const dir = configDir(env)
    if (configDirProblem(dir)) return false
    const text = readTextNoFollow(configFile(dir))
    if (!isValidatedConfig(dir, text)) return false
    const config = JSON.parse(text) as { defaultProfile?: string; profiles: Record<string, FastProfile> }
    const name = profileFlag ?? (env.OAUTHCTL_PROFILE || config.defaultProfile)
    const profile = name && Object.hasOwn(config.profiles, name) ? config.profiles[name] : undefined
    if (!name || !profile) return false
    const storage = env.OAUTHCTL_STORAGE || profile.storage || 'keychain'
    const token = await resolveCachedToken({
      profileName: name,
      profile,
      minTtl: DEFAULT_MIN_TTL_SECONDS,
      now: nowSeconds(),
      read: (key) => readSecret(storage, dir, key, env),
    })
    if (!token) return false
    process.stdout.write(renderToken(token, 'raw'))
    return true
  } catch {
    return false // whatever went wrong, the full command meets it again and reports it properly
  }
}

interface FastProfile extends RuleProfile {
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
    let text: string
    try {
      text = readTextNoFollow(credentialsFile(dir))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
    const credentials = parseCredentials(text)
    return 'invalid' in credentials || !Object.hasOwn(credentials.entries, key) ? undefined : credentials.entries[key]
  }
  if (kind === 'keychain') {
    const access = { service: KEYCHAIN_SERVICE, allowKernelKeyring: env.OAUTHCTL_KEYCHAIN_ALLOW_KERNEL === '1', timeoutMs: DEFAULT_TIMEOUT_MS }
    return readKeychainValue(access, key)
  }
  return undefined
}
