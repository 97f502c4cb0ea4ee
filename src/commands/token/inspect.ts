import { Args } from '@oclif/core'
import { BaseCommand } from '../../lib/cli/base-command.js'
import { readStdin } from '../../lib/cli/input.js'
import { authRequired } from '../../lib/errors.js'
import { registerSecret } from '../../lib/redact.js'
import { nowSeconds } from '../../lib/tokens/cache.js'
import { readStoredToken } from '../../lib/tokens/get-token.js'
import { describeInspection, inspectToken } from '../../lib/tokens/inspect.js'

export default class TokenInspect extends BaseCommand<typeof TokenInspect> {
  static override summary = 'Decode a token: JWT header, claims, dates and time left.'
  static override description = 'With no argument, inspects the profile\'s stored token (without contacting the server). `-` reads the token from stdin. Decoding does not verify the signature.'
  static override examples = ['<%= config.bin %> token inspect', '<%= config.bin %> token get | <%= config.bin %> token inspect -', '<%= config.bin %> token inspect --json']
  static override args = { token: Args.string({ description: 'The token, or - for stdin (default: the stored token).' }) }

  async run(): Promise<void> {
    const token = await this.tokenToInspect()
    registerSecret(token)
    const inspection = inspectToken(token, nowSeconds())
    this.output(inspection, describeInspection)
  }

  private async tokenToInspect(): Promise<string> {
    if (this.args.token === '-') return readStdin('token inspect -')
    if (this.args.token) return this.args.token
    const { name, profile } = await this.rt.profile()
    // The store only: inspecting never fetches a token as a side effect.
    const stored = await readStoredToken({ profileName: name, profile, store: await this.rt.store(profile) })
    if (!stored) throw authRequired(`no stored token for profile ${name}`, { hint: 'run oauthctl token get or oauthctl login first, or pass the token' })
    return stored.access_token
  }
}
