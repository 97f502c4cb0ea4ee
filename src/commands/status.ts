import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.js'
import { describeStatus, status } from '../lib/use-cases/status.js'

export default class Status extends BaseCommand<typeof Status> {
  static override summary = 'Whether a profile can produce a token now; with no -p, every profile.'
  static override description = `Exit 0 when the profile can produce a token now (a cached token with a minute left, a refresh token, or client credentials), 3 when it needs a login, 6 when its secret storage is unusable. With no -p (or OAUTHCTL_PROFILE) every profile is listed and the exit code is that of the profile commands use by default.
--check also asks the server: introspection where it has an endpoint, else userinfo for an OpenID session, else a token request (the token is stored, as token get would); a token or credentials the server refuses is exit 3, a server that cannot be reached exit 5.`
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status -p ci --check', '<%= config.bin %> status -p ci --json']
  static override flags = {
    check: Flags.boolean({ summary: 'Ask the server too: introspection, userinfo or a token request.' }),
  }

  async run(): Promise<void> {
    const { report, verdict } = await status(await this.rt.config(), { profile: this.rt.requestedProfile, check: this.flags.check }, this.rt)
    const style = this.rt.style.stdout
    // Status words in colour on a terminal: usable green, a login needed (or an expiry) yellow, storage red.
    const word = (column: string, text: string) => {
      if (column === 'state') return text === 'storage unavailable' ? style.bad(text) : text === 'needs login' ? style.attention(text) : style.good(text)
      return column === 'expires' && text.startsWith('expired') ? style.attention(text) : text
    }
    this.report(report, (r) => describeStatus(r, word), verdict, { escaped: true })
  }
}
