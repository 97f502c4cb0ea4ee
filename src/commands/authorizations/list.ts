import { AdminCommand, renderAuthorizations } from '../../cli/admin.js'
import { operation } from '../../lib/use-cases/admin.js'

export default class AuthorizationsList extends AdminCommand<typeof AuthorizationsList> {
  static override summary = 'List the clients users have authorized (Genesys Cloud).'
  static override examples = ['<%= config.bin %> authorizations list --json']

  async run(): Promise<void> {
    const { backend } = await this.admin()
    this.output(await operation(backend, 'authorizations').list(), renderAuthorizations)
  }
}
