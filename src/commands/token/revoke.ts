import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { readStdin } from '../../cli/input.js'
import { authRequired } from '../../lib/errors.js'
import type { JsonDocument } from '../../lib/documents/json-schemas.js'
import { registerSecret } from '../../lib/redact.js'
import { readStoredToken } from '../../lib/use-cases/get-token.js'
import { forgetToken, revoke } from '../../lib/tokens/revoke.js'

export default class TokenRevoke extends BaseCommand<typeof TokenRevoke> {
  static override summary = 'Revoke a token (RFC 7009) and drop it from the cache.'
  static override description = 'With no argument, revokes the stored refresh token (or access token when there is none). `-` reads the token from stdin.'
  static override examples = ['<%= config.bin %> token revoke', 'printf %s "$TOKEN" | <%= config.bin %> token revoke - --type-hint access_token']
  static override args = { token: Args.string({ description: 'The token, or - for stdin (default: the stored token).' }) }
  static override flags = {
    'type-hint': Flags.string({ summary: 'What the token is.', options: ['access_token', 'refresh_token'] }),
  }

  async run(): Promise<void> {
    const ctx = await this.rt.tokenContext()
    const session = await this.rt.session(ctx)
    let token = this.args.token === '-' ? await readStdin('token revoke -') : this.args.token
    let hint = this.flags['type-hint']
    if (!token) {
      const stored = await readStoredToken(ctx)
      if (!stored) throw authRequired(`no stored token for profile ${ctx.profileName}`, { hint: 'pass the token to revoke, or - to read it from stdin' })
      // The refresh token ends the whole grant, where the server revokes refresh tokens at all.
      const useRefresh = Boolean(stored.refresh_token) && session.revocableTypes.includes('refresh_token')
      token = useRefresh && stored.refresh_token ? stored.refresh_token : stored.access_token
      hint ??= useRefresh ? 'refresh_token' : 'access_token'
    }
    registerSecret(token)
    await revoke(session, token, hint)
    const removed = await forgetToken(ctx.store, ctx.profileName, token)
    this.output<JsonDocument<'token revoke'>>({ revoked: true, removedFromCache: removed > 0 }, (r) => `revoked${r.removedFromCache ? ' and removed from the cache' : ''}`)
  }
}
