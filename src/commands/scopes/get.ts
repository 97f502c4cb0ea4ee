import { Args } from '@oclif/core'
import { AdminCommand, renderScope } from '../../lib/admin/cli.js'
import { operation } from '../../lib/admin/index.js'

export default class ScopesGet extends AdminCommand<typeof ScopesGet> {
  static override summary = 'Show one OAuth scope (Genesys Cloud).'
  static override examples = ['<%= config.bin %> scopes get users:readonly']
  static override args = { id: Args.string({ description: 'Scope id.', required: true }) }

  async run(): Promise<void> {
    const { backend } = await this.admin()
    this.output(await operation(backend, 'scopes').get(this.args.id), renderScope)
  }
}
