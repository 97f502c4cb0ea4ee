import { Args } from '@oclif/core'
import { AdminCommand, dryRunFlag, yesFlag } from '../../cli/admin.js'
import { operation } from '../../lib/use-cases/admin.js'
import type { AppliedJson } from '../../lib/documents/json-schemas.js'

export default class ClientsDelete extends AdminCommand<typeof ClientsDelete> {
  static override summary = 'Delete an OAuth client.'
  static override description = `Asks first on a terminal; elsewhere needs --yes. Deleting a client that is already gone succeeds and says so.
Genesys Cloud deletes only inactive clients: an active one is set to inactive first.`
  static override examples = ['<%= config.bin %> clients delete 3b2f6c1e-9a7d-4e85-b1c0-7d6e5f4a3b21', '<%= config.bin %> clients delete 1207 --yes']
  static override args = { id: Args.string({ description: 'Client id.', required: true }) }
  static override flags = { yes: yesFlag, 'dry-run': dryRunFlag }

  async run(): Promise<void> {
    const { backend } = await this.admin()
    const id = this.args.id
    const outcome = await this.change(await operation(backend, 'delete')(id), {
      dryRun: this.flags['dry-run'],
      confirm: { yes: this.flags.yes, question: `Delete client ${id} (${backend.label})?` },
    })
    if (outcome) this.output<AppliedJson<'clients delete'>>(outcome, (o) => (o.deleted ? `deleted client ${o.id}` : `client ${o.id} was already gone: nothing to delete`))
  }
}
