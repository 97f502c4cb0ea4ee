import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.js'
import { logout } from '../lib/use-cases/logout.js'
import type { JsonDocument } from '../lib/documents/json-schemas.js'

export default class Logout extends BaseCommand<typeof Logout> {
  static override summary = 'Revoke the profile\'s tokens at the server and delete them here.'
  static override description = `Revokes the stored refresh tokens and live access tokens at the revocation endpoint (RFC 7009) when the server has one, then deletes every token stored for the profile. The tokens are deleted even when revocation fails: that is a warning, and the exit code is 0.
The client secret, if any, stays: profiles remove deletes it.`

  static override examples = [
    '<%= config.bin %> logout',
    { description: 'Forget the tokens here without telling the server', command: '<%= config.bin %> logout --no-revoke' },
    { description: 'Another profile', command: '<%= config.bin %> logout -p work' },
  ]

  static override flags = {
    'no-revoke': Flags.boolean({ summary: 'Delete the stored tokens without revoking them.' }),
  }

  async run(): Promise<void> {
    const result = await logout(
      { revoke: !this.flags['no-revoke'] },
      {
        ...(await this.rt.tokenContext()),
        ui: { info: (line) => this.rt.info(line), warn: (line) => this.rt.warn(line) },
      },
    )
    this.output<JsonDocument<'logout'>>(result, (r) =>
      r.deleted === 0
        ? `not logged in to profile ${r.profile}: no tokens were stored`
        : `logged out of profile ${r.profile}: ${r.deleted} stored token set${r.deleted === 1 ? '' : 's'} deleted, ${r.revoked} token${r.revoked === 1 ? '' : 's'} revoked`,
    )
  }
}
