import { AdminCommand, renderAuthorizations } from '../../cli/admin.js'
import { operation } from '../../lib/use-cases/admin.js'
import type { JsonDocument } from '../../lib/documents/json-schemas.js'

export default class AuthorizationsList extends AdminCommand<typeof AuthorizationsList> {
  static override summary = 'List the clients users have authorized (Genesys Cloud).'
  static override examples = ['<%= config.bin %> authorizations list --json']

  async run(): Promise<void> {
    const { backend } = await this.admin()
    const authorizations = await operation(backend, 'authorizations').list()
    this.output<JsonDocument<'authorizations list'>>({ authorizations }, (doc) => renderAuthorizations(doc.authorizations))
  }
}
