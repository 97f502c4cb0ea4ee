import { Args } from '@oclif/core'
import { AdminCommand, renderUsage } from '../../cli/admin.js'
import { integerFlag } from '../../cli/base-command.js'
import { operation } from '../../lib/use-cases/admin.js'
import type { JsonDocument } from '../../lib/documents/json-schemas.js'

export default class ClientsUsage extends AdminCommand<typeof ClientsUsage> {
  static override summary = 'API usage of an OAuth client per day, method and endpoint (Genesys Cloud).'
  static override description = `Runs a usage query for the last --days days and waits for it (polling with backoff, up to a minute), then prints requests and status counts.`
  static override examples = ['<%= config.bin %> clients usage 3b2f6c1e-9a7d-4e85-b1c0-7d6e5f4a3b21 --days 30']
  static override args = { id: Args.string({ description: 'Client id.', required: true }) }
  static override flags = { days: integerFlag('a number of days', { summary: 'How many days back.', default: 7, min: 1 }) }

  async run(): Promise<void> {
    const { backend } = await this.admin()
    this.output<JsonDocument<'clients usage'>>(await operation(backend, 'usage')(this.args.id, this.flags.days), renderUsage)
  }
}
