/**
 * The config folder is trusted only when it is the user's own: not writable by anyone else, and no
 * symbolic link inside it is followed (one planted there could point a write at another file, or a
 * read at another user's). CommonJS and node:fs only, for the fast path of `token get`.
 */
import { closeSync, constants, openSync, readFileSync, statSync } from 'node:fs'

/** O_NOFOLLOW where the platform has it (not Windows, where creating symlinks needs privileges). */
export const NO_FOLLOW = constants.O_NOFOLLOW ?? 0

/** Why the config folder must not be used, like ssh refuses a ~/.ssh others can write; undefined when it is fine or not there yet. */
export function configDirProblem(dir: string): string | undefined {
  if (process.platform === 'win32') return undefined
  let stat
  try {
    stat = statSync(dir)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    return code === 'ENOENT' ? undefined : `the config folder ${dir} cannot be read (${code ?? 'unreadable'})`
  }
  if (!stat.isDirectory()) return `the config folder ${dir} is not a folder`
  const uid = process.getuid?.()
  if (uid !== undefined && stat.uid !== uid && stat.uid !== 0) return `the config folder ${dir} belongs to another user (uid ${stat.uid})`
  if (stat.mode & 0o022) return `the config folder ${dir} can be written by ${stat.mode & 0o002 ? 'every user' : 'its group'} (mode ${(stat.mode & 0o777).toString(8)})`
  return undefined
}

/** A file's text, refusing a symbolic link (ELOOP); errors as node:fs throws them. */
export function readTextNoFollow(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | NO_FOLLOW)
  try {
    return readFileSync(fd, 'utf8')
  } finally {
    closeSync(fd)
  }
}
