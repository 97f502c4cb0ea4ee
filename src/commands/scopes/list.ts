import { AdminCommand, langFlag, renderScopes } from '../../cli/admin.js'
import { operation } from '../../lib/use-cases/admin.js'

export default class ScopesList extends AdminCommand<typeof ScopesList> {
  static override summary = 'List the OAuth scopes a client can be given (Genesys Cloud).'
  static override examples = ['<%= config.bin %> scopes list -p genesys-admin', '<%= config.bin %> scopes list --lang de']
  static override flags = { lang: langFlag }

  async run(): Promise<void> {
    const { backend } = await this.admin()
    this.output(await operation(backend, 'scopes').list({ lang: this.flags.lang }), renderScopes)
  }
}
