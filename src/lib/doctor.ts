import type { StorageChoice } from './storage/index.js'
import { CliError } from './errors.js'

export interface KeychainDiagnosis {
  available: boolean
  /** Why it is unavailable, in words. */
  reason?: string
  /** What to do about it. */
  fix?: string
}

export interface DoctorReport {
  configDir: string
  storage: StorageChoice
  keychain: KeychainDiagnosis
  platform: string
  wsl: boolean
}

/** is-wsl, loaded when asked: it reads /proc when first imported. */
const isWsl = async (): Promise<boolean> => (await import('is-wsl')).default

const FILE_FALLBACK = 'or use --storage file (OAUTHCTL_STORAGE=file) on machines with no keychain'

/** Probe the keychain with a write and a delete, and say in words why it fails and what to do. */
export async function diagnoseKeychain(env: NodeJS.ProcessEnv): Promise<KeychainDiagnosis> {
  const wsl = await isWsl()
  if (process.platform === 'linux' && !env.DBUS_SESSION_BUS_ADDRESS) {
    return {
      available: false,
      reason: wsl ? 'WSL has no D-Bus session, so no Secret Service' : 'no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set): typical over SSH, in containers and in CI',
      fix: `start one with \`dbus-run-session -- $SHELL\` and unlock a keyring (gnome-keyring-daemon --unlock), ${FILE_FALLBACK}`,
    }
  }
  const { KeychainStore } = await import('./storage/keychain.js')
  const store = new KeychainStore({ timeoutMs: 3000, allowKernelKeyring: env.OAUTHCTL_KEYCHAIN_ALLOW_KERNEL === '1' })
  try {
    await store.set('doctor/probe', 'probe')
    await store.delete('doctor/probe')
    return { available: true }
  } catch (err) {
    if (!(err instanceof CliError)) throw err
    const message = err.message
    if (/locked|unlock|prompt/i.test(message)) {
      return { available: false, reason: 'the keyring collection is locked', fix: `unlock it (log in to the desktop, or gnome-keyring-daemon --unlock), ${FILE_FALLBACK}` }
    }
    if (err.code === 'keychain_timeout') {
      return { available: false, reason: 'the Secret Service did not answer within 3 s', fix: `restart the keyring daemon, ${FILE_FALLBACK}` }
    }
    if (/ServiceUnknown|org\.freedesktop\.secrets|not provided|no such|secret.service/i.test(message)) {
      return { available: false, reason: 'no Secret Service answers on the D-Bus session (is gnome-keyring or KeePassXC running?)', fix: `install and start gnome-keyring, ${FILE_FALLBACK}` }
    }
    return { available: false, reason: message, fix: FILE_FALLBACK }
  }
}

export async function doctor(configDir: string, storage: StorageChoice, env: NodeJS.ProcessEnv): Promise<DoctorReport> {
  return { configDir, storage, keychain: await diagnoseKeychain(env), platform: process.platform, wsl: await isWsl() }
}
