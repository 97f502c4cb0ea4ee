import { BaseCommand } from '../../cli/base-command.js'
import { Runtime } from '../../cli/runtime.js'
import { gitCredentialGet, readCredentialRequest } from '../../lib/integrations/git-credential.js'
import { DEFAULT_MIN_TTL_SECONDS } from '../../lib/tokens/cache.js'
import { getToken } from '../../lib/use-cases/get-token.js'

/** git asks once per operation and may use the answer for minutes (a large clone): the token must outlast it. */
const GIT_MIN_TTL_SECONDS = Math.max(DEFAULT_MIN_TTL_SECONDS, 300)

export default class GitCredentialGet extends BaseCommand<typeof GitCredentialGet> {
  static override summary = "git's credential helper: answer with an access token for a remote mapped to a profile."
  static override description = `git runs this (credential.helper) with its request on stdin: protocol, host and, with credential.useHttpPath, path. For a remote mapped with \`oauthctl git-credential configure\`, it prints username (oauth2 unless configured), password (a valid access token from the profile: cached, refreshed or granted as token get does) and password_expiry_utc. For any other remote it prints nothing and exits 0, so git asks its next helper. Nothing but the answer goes to stdout.`
  static override examples = ["git config --global credential.https://git.example.com.helper '!oauthctl git-credential'", 'printf "protocol=https\\nhost=git.example.com\\n\\n" | <%= config.bin %> git-credential get']

  async run(): Promise<void> {
    const request = await readCredentialRequest(process.stdin)
    const config = await this.rt.config()
    const answer = await gitCredentialGet(request, config.gitCredential ?? {}, async (profile) => {
      const rt = new Runtime({ ...this.rt.options, profile }, this.rt.env)
      try {
        const options = { grant: 'auto', scopes: [], minTtl: GIT_MIN_TTL_SECONDS, force: false, params: {} }
        return (await getToken(options, await rt.tokenContext())).token
      } finally {
        await rt.close()
      }
    })
    process.stdout.write(answer)
  }
}
