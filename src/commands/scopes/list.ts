import { AdminCommand, langFlag, renderScopes } from '../../cli/admin.js'
import { operation } from '../../lib/use-cases/admin.js'
import type { JsonDocument } from '../../lib/documents/json-schemas.js'

export default class ScopesList extends AdminCommand<typeof ScopesList> {
  static override summary = 'List the OAuth scopes a client can be given (Genesys Cloud).'
  static override examples = ['<%= config.bin %> scopes list -p genesys-admin', '<%= config.bin %> scopes list --lang de']
  static override flags = { lang: langFlag }

  async run(): Promise<void> {
    const { backend } = await this.admin()
    const scopes = await operation(backend, 'scopes').list({ lang: this.flags.lang })
    this.output<JsonDocument<'scopes list'>>({ scopes }, (doc) => renderScopes(doc.scopes))
  }
}
