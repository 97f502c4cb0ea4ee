import { constants, promises as fs } from 'node:fs'
import { join } from 'node:path'
import { NO_FOLLOW, readTextNoFollow } from '../fs/safe-files.cjs'

/**
 * A copy of the last config text that passed validation, kept beside it. The fast path of
 * `token get` (no zod loaded) trusts config.json only when its text is exactly that, so it never
 * acts on a config the full command would reject. A plain comparison: no crypto to load.
 */
const stampFile = (dir: string) => join(dir, '.config.validated')

export function isValidatedConfig(dir: string, text: string): boolean {
  try {
    return readTextNoFollow(stampFile(dir)) === text
  } catch {
    return false // no stamp yet (or a symbolic link in its place): the full command validates and writes it
  }
}

export async function stampValidatedConfig(dir: string, text: string): Promise<void> {
  if (isValidatedConfig(dir, text)) return
  // A missed stamp only costs the next call the fast path; it never changes a result.
  // fs.promises on use: loading node:fs/promises costs the cached path ~1 ms.
  // Never through a symbolic link planted in its place: that would overwrite the link's target.
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | NO_FOLLOW
  await fs
    .open(stampFile(dir), flags, 0o600)
    .then(async (handle) => {
      try {
        await handle.writeFile(text)
      } finally {
        await handle.close()
      }
    })
    .catch(() => undefined)
}
