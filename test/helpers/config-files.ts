import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

// Tests reach into any field of these files, including ones they break on purpose: untyped.
type Json = any

export const configPath = (configDir: string) => join(configDir, 'config.json')

/** config.json, parsed. */
export const readConfig = async (configDir: string): Promise<Json> => JSON.parse(await readFile(configPath(configDir), 'utf8'))

/** Change config.json behind oauthctl's back (as a user editing it would); returns its path. */
export async function editConfig(configDir: string, edit: (config: Json) => void): Promise<string> {
  const config = await readConfig(configDir)
  edit(config)
  await writeFile(configPath(configDir), JSON.stringify(config))
  return configPath(configDir)
}

/** The file store's entries (credentials.json), by key. */
export const credentialEntries = async (configDir: string): Promise<Record<string, string>> =>
  JSON.parse(await readFile(join(configDir, 'credentials.json'), 'utf8')).entries
