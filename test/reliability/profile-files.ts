import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect } from 'vitest'
import { ConfigSchema, type ProfileInput } from '../../src/lib/config/schema.js'
import { secretKeys } from '../../src/lib/storage/keys.js'

/**
 * Write config.json and credentials.json the way oauthctl would have (validated by the real schema,
 * 0600 in a 0700 folder), so a test pays one spawned CLI for what it tests, not for its set-up.
 */
export async function writeProfiles(configDir: string, profiles: Record<string, ProfileInput>, defaultProfile = Object.keys(profiles)[0]): Promise<void> {
  const config = ConfigSchema.parse({ version: 1, defaultProfile, profiles })
  await mkdir(configDir, { recursive: true, mode: 0o700 })
  await writeFile(join(configDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 })
}

export async function writeSecrets(configDir: string, entries: Record<string, string>): Promise<void> {
  await mkdir(configDir, { recursive: true, mode: 0o700 })
  const path = join(configDir, 'credentials.json')
  const current = JSON.parse(await readFile(path, 'utf8').catch(() => '{"version":1,"entries":{}}')) as { entries: Record<string, string> }
  Object.assign(current.entries, entries)
  await writeFile(path, JSON.stringify(current), { mode: 0o600 })
}

export const clientSecretEntry = (profile: string, secret: string) => ({ [secretKeys.clientSecret(profile)]: secret })

export const credentialsText = (configDir: string) => readFile(join(configDir, 'credentials.json'), 'utf8')

export const credentialEntries = async (configDir: string): Promise<Record<string, string>> =>
  (JSON.parse(await credentialsText(configDir)) as { entries: Record<string, string> }).entries

/**
 * The error contract of SPEC.md: exactly one `error: …` line matching `cause`, at most a hint after
 * it, no stack trace, nothing else on stderr but warnings or trace lines given in `allow`.
 */
export function expectOneErrorLine(stderr: string, cause: RegExp, allow: RegExp[] = []): void {
  const lines = stderr.split('\n').filter((l) => l !== '')
  const errors = lines.filter((l) => l.startsWith('error: '))
  expect(errors, stderr).toHaveLength(1)
  expect(errors[0], stderr).toMatch(cause)
  expect(stderr).not.toMatch(/^\s+at .+:\d+/m)
  const others = lines.filter((l) => !l.startsWith('error: ') && !l.startsWith('hint: ') && !l.startsWith('warning: ') && !allow.some((re) => re.test(l)))
  expect(others, stderr).toEqual([])
}
