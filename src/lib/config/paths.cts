import { join } from 'node:path'

/**
 * The home folder: HOME on POSIX (what os.homedir() reads first), else node:os, required on use:
 * loading it costs the cached `token get` ~0.5 ms.
 */
const homedir = (env: NodeJS.ProcessEnv) =>
  (process.platform !== 'win32' && env.HOME) || (require('node:os') as typeof import('node:os')).homedir()

/** OAUTHCTL_CONFIG_DIR, else the platform's config folder (`~/.config/oauthctl` on Linux). */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OAUTHCTL_CONFIG_DIR) return env.OAUTHCTL_CONFIG_DIR
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'oauthctl')
  if (process.platform === 'darwin') return join(homedir(env), 'Library', 'Application Support', 'oauthctl')
  return join(env.XDG_CONFIG_HOME || join(homedir(env), '.config'), 'oauthctl')
}

export const configFile = (dir: string) => join(dir, 'config.json')
export const credentialsFile = (dir: string) => join(dir, 'credentials.json')
export const locksDir = (dir: string) => join(dir, 'locks')
