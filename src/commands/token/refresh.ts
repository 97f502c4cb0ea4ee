import { BaseCommand } from '../../cli/base-command.js'
import { getToken, readStoredToken } from '../../lib/use-cases/get-token.js'
import type { JsonDocument } from '../../lib/documents/json-schemas.js'
import { expiryJson } from '../../lib/tokens/token-output.js'
import { grantedScopes } from '../../lib/tokens/cached-token.js'

export default class TokenRefresh extends BaseCommand<typeof TokenRefresh> {
  static override summary = 'Refresh the stored token now, with its refresh token.'
  static override description = `A rotated refresh token is stored before anything else happens. A refresh token the server rejects (invalid_grant) is deleted, and the command exits 3: log in again.
It prints what changed, not the token: \`token get\` prints tokens.`
  static override examples = ['<%= config.bin %> token refresh', '<%= config.bin %> token refresh --json']

  async run(): Promise<void> {
    const ctx = await this.rt.tokenContext()
    const before = await readStoredToken(ctx)
    const { token } = await getToken({ grant: 'refresh_token', scopes: [], minTtl: 0, force: true, params: {} }, ctx)
    const result: JsonDocument<'token refresh'> = {
      refreshed: true,
      ...expiryJson(token.expires_at),
      // What the token has, as status shows it: the response's scope, else what was asked for.
      scopes: grantedScopes(token),
      tokenType: token.token_type,
      refreshTokenRotated: Boolean(before?.refresh_token && token.refresh_token !== before.refresh_token),
    }
    this.output(result, (r) => `refreshed: expires ${r.expiresAt}${r.refreshTokenRotated ? ', refresh token rotated' : ''}`)
  }
}
