import { Args } from '@oclif/core'
import { AdminCommand, renderAuthorization } from '../../cli/admin.js'
import { operation } from '../../lib/use-cases/admin.js'
import type { JsonDocument } from '../../lib/documents/json-schemas.js'

export default class AuthorizationsGet extends AdminCommand<typeof AuthorizationsGet> {
  static override summary = 'Show the authorization users gave one client (Genesys Cloud).'
  static override examples = ['<%= config.bin %> authorizations get 8c7b6a59-4d3e-4f21-9a0b-c1d2e3f4a5b6']
  static override args = { clientId: Args.string({ description: 'Client id.', required: true }) }

  async run(): Promise<void> {
    const { backend } = await this.admin()
    this.output<JsonDocument<'authorizations get'>>(await operation(backend, 'authorizations').get(this.args.clientId), renderAuthorization)
  }
}
