import { BaseCommand } from '../../cli/base-command.js'
import { readCredentialRequest } from '../../lib/integrations/git-credential.js'

/**
 * `store` and `erase` (erase.ts re-exports this): read and ignored. oauthctl keeps tokens in its own
 * cache and renews them itself; git's erase follows any 401, also one for a missing permission on a
 * repository, and dropping the cached session for that would only log the user out.
 */
export default class GitCredentialStore extends BaseCommand<typeof GitCredentialStore> {
  static override summary = "git's credential helper store/erase: read and ignored (oauthctl keeps and renews its own tokens)."
  static override description = 'To replace a token a server refused: oauthctl token get --force -p PROFILE.'

  async run(): Promise<void> {
    await readCredentialRequest(process.stdin)
  }
}
