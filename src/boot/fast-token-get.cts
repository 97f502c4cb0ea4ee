import { writeSync } from 'node:fs'
import { configDir, configFile, credentialsFile } from '../lib/config/paths.cjs'
import { isValidatedConfig } from '../lib/config/validated-stamp.cjs'
import { configDirProblem, readTextNoFollow } from '../lib/fs/safe-files.cjs'
import { execCredentialApiVersion, renderExecCredential, renderToken } from '../lib/tokens/token-output.cjs'
import { parseCredentials } from '../lib/storage/credentials-format.cjs'
import { DEFAULT_TIMEOUT_MS, KEYCHAIN_SERVICE, readKeychainValue } from '../lib/storage/keychain-read.cjs'
import { DEFAULT_MIN_TTL_SECONDS, nowSeconds } from '../lib/tokens/cache.cjs'
import { resolveCachedToken, type RuleProfile } from '../lib/tokens/cached-token.cjs'

/**
 * The hot path: `oauthctl token get [-p NAME] [--output exec-credential]` (a script, or kubectl's
 * credential plugin call, once a minute per kubectl command) with a cached token, answered in CommonJS before
 * the ESM loader, oclif, zod, undici or jose load. It shares the config paths, storage keys,
 * keychain format, the cached-token rule (resolveCachedToken) and output with the full command;
 * anything it is not sure of (another flag, a config not yet validated, a config folder others
 * can write, a miss, an expired token, any error) resolves false, and the full command runs and
 * behaves (or reports) exactly as it would have.
 */
export async function fastTokenGet(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, print: (text: string) => void = writeStdout): Promise<boolean> {
  const args = parseArgs(argv)
  if (args === false) return false
  // kubectl's answer in the version it asked for; a version we do not speak is the full command's error to report.
  const execVersion = args.output === 'exec-credential' ? execCredentialApiVersion(env) : undefined
  if (args.output === 'exec-credential' && !execVersion) return false
  // Environment-only profiles and traces take the full path.
  if (env.OAUTHCTL_ISSUER || env.OAUTHCTL_TOKEN_ENDPOINT || env.OAUTHCTL_DEBUG === '1') return false
  try {
    const dir = configDir(env)
    if (configDirProblem(dir)) return false
    const text = readTextNoFollow(configFile(dir))
    if (!isValidatedConfig(dir, text)) return false
    const config = JSON.parse(text) as { defaultProfile?: string; profiles: Record<string, FastProfile> }
    const name = args.profile ?? (env.OAUTHCTL_PROFILE || config.defaultProfile)
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
    print(execVersion ? renderExecCredential(token.access_token, token.expires_at, execVersion) : renderToken(token, 'raw'))
    return true
  } catch {
    return false // whatever went wrong, the full command meets it again and reports it properly
  }
}

/**
 * Written to fd 1 directly, not through process.stdout: creating that stream loads net and the
 * streams modules (4.9 ms for a one-line script here, against 0.5 ms for writeSync). A pipe that
 * is full (EAGAIN) takes the rest through the stream after all.
 */
export function writeStdout(
  text: string,
  write: (bytes: Buffer, offset: number) => number = (bytes, offset) => writeSync(1, bytes, offset),
  stream: (rest: Buffer) => void = (rest) => process.stdout.write(rest),
): void {
  const bytes = Buffer.from(text)
  let written = 0
  try {
    while (written < bytes.length) written += write(bytes, written)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err
    stream(bytes.subarray(written))
  }
}

interface FastProfile extends RuleProfile {
  storage?: string
}

/**
 * `token get` with at most a profile flag and `--output raw|exec-credential` (as `oauthctl kubeconfig`
 * writes it), in any order; false for anything else.
 */
function parseArgs(argv: readonly string[]): { profile?: string; output: 'raw' | 'exec-credential' } | false {
  if (argv[0] !== 'token' || argv[1] !== 'get') return false
  const parsed: { profile?: string; output: 'raw' | 'exec-credential' } = { output: 'raw' }
  const seen = new Set<string>()
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i] as string
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1
    const name = eq > 0 ? arg.slice(0, eq) : arg
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i]
    if (!value || value.startsWith('-')) return false
    const flag = name === '-p' || name === '--profile' ? 'profile' : name === '-o' || name === '--output' ? 'output' : undefined
    if (!flag || seen.has(flag)) return false
    seen.add(flag)
    if (flag === 'profile') parsed.profile = value
    else if (value === 'raw' || value === 'exec-credential') parsed.output = value
    else return false
  }
  return parsed
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
