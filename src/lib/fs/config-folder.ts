import { constants } from 'node:fs'
import { open } from 'node:fs/promises'
import { storageError } from '../errors.js'
import { configDirProblem, NO_FOLLOW } from './safe-files.cjs'

/** Refuse (exit 6) a config folder another user could change: the secrets and the trust in it would be theirs. */
export function assertConfigDir(dir: string): void {
  const problem = configDirProblem(dir)
  if (problem) throw storageError(`${problem}: refusing to use it`, { code: 'config_dir_unsafe', hint: `make it yours alone: chmod 700 ${dir}` })
}

export const symlinkRefused = (path: string) =>
  storageError(`${path} is a symbolic link: oauthctl follows no links in its config folder`, { code: 'symlink_refused', hint: `remove it (rm ${path})` })

/** A symbolic link where a config-folder file should be (ELOOP under O_NOFOLLOW): exit 6; any other error as it was. */
export const refuseSymlink = (path: string, err: unknown): unknown => ((err as NodeJS.ErrnoException).code === 'ELOOP' ? symlinkRefused(path) : err)

/** A config-folder file's text, never through a symbolic link (refused, exit 6); ENOENT and the like as node:fs throws them. */
export async function readFileNoFollow(path: string): Promise<string> {
  let handle
  try {
    handle = await open(path, constants.O_RDONLY | NO_FOLLOW)
  } catch (err) {
    throw refuseSymlink(path, err)
  }
  try {
    return await handle.readFile('utf8')
  } finally {
    await handle.close()
  }
}
