import { Args } from '@oclif/core'
import { AdminCommand, langFlag, renderScope } from '../../cli/admin.js'
import { operation } from '../../lib/use-cases/admin.js'
import type { JsonDocument } from '../../lib/documents/json-schemas.js'

export default class ScopesGet extends AdminCommand<typeof ScopesGet> {
  static override summary = 'Show one OAuth scope (Genesys Cloud).'
  static override examples = ['<%= config.bin %> scopes get users:readonly', '<%= config.bin %> scopes get users:readonly --lang de-de']
  static override args = { id: Args.string({ description: 'Scope id.', required: true }) }
  static override flags = { lang: langFlag }

  async run(): Promise<void> {
    const { backend } = await this.admin()
    this.output<JsonDocument<'scopes get'>>(await operation(backend, 'scopes').get(this.args.id, { lang: this.flags.lang }), renderScope)
  }
}
