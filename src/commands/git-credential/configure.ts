import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { configureGitCredential } from '../../lib/integrations/git-credential.js'
import type { JsonDocument } from '../../lib/documents/json-schemas.js'

export default class GitCredentialConfigure extends BaseCommand<typeof GitCredentialConfigure> {
  static override summary = 'Map a git remote (HOST or URL prefix) to the profile whose access token git gets as the password.'
  static override description = `HOST[:PORT] means https://HOST[:PORT]; a URL with a path covers the repositories under it, once git sends paths (git config credential.https://HOST.useHttpPath true). Plain http is refused except on loopback.
Then tell git to ask oauthctl for that remote; the hint line shows the command.`
  static override examples = [
    '<%= config.bin %> git-credential configure git.example.com -p corp',
    '<%= config.bin %> git-credential configure https://git.example.com/team -p team --username x-access-token',
    '<%= config.bin %> git-credential configure git.example.com --remove',
  ]
  static override args = { remote: Args.string({ description: 'HOST[:PORT], or an https URL prefix.', required: true }) }
  static override flags = {
    username: Flags.string({ summary: 'User name git sends with the token (default oauth2).' }),
    remove: Flags.boolean({ summary: 'Remove the mapping instead.' }),
  }

  async run(): Promise<void> {
    const profile = this.flags.remove ? undefined : (await this.rt.profile()).name
    const result = await configureGitCredential(this.rt.configDir, this.args.remote, { profile, username: this.flags.username, remove: this.flags.remove })
    if ('profile' in result) {
      const path = new URL(result.url).pathname !== '/' ? ` && git config --global 'credential.${result.url}.useHttpPath' true` : ''
      this.rt.info(`hint: git config --global 'credential.${result.url}.helper' '!${process.argv[1] ?? 'oauthctl'} git-credential'${path}`)
    }
    this.output<JsonDocument<'git-credential configure'>>(result, (r) =>
      'profile' in r ? `git remotes under ${r.url} get tokens from profile ${r.profile} (user name ${r.username})` : r.removed ? `removed the mapping for ${r.url}` : `no mapping for ${r.url} (nothing to remove)`,
    )
  }
}
