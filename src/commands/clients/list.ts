import { Flags } from '@oclif/core'
import { AdminCommand, renderClients } from '../../cli/admin.js'
import { integerFlag } from '../../cli/base-command.js'
import { operation } from '../../lib/use-cases/admin.js'
import { countingPages } from '../../lib/admin/paging.js'
import type { JsonDocument } from '../../lib/documents/json-schemas.js'

const DEFAULT_LIMIT = 100

export default class ClientsList extends AdminCommand<typeof ClientsList> {
  static override summary = 'List OAuth clients: id, name, grant types, redirect URIs, created.'
  static override description = `Works with Genesys Cloud, Nutanix and phone.com profiles. Standard RFC 7591/7592 servers have no list operation (RFC 7592 defines none): there this exits 2.
Shows the first ${DEFAULT_LIMIT} clients unless --limit or --all says otherwise; --json prints the array. Secrets are never shown.`

  static override examples = ['<%= config.bin %> clients list -p genesys-admin', '<%= config.bin %> clients list --all --json']

  static override flags = {
    limit: integerFlag('a whole number', { summary: `At most this many clients (default ${DEFAULT_LIMIT}).`, min: 1, exclusive: ['all'] }),
    all: Flags.boolean({ summary: 'Follow every page.', exclusive: ['limit'] }),
  }

  async run(): Promise<void> {
    const { backend } = await this.admin()
    const list = operation(backend, 'list')
    const limit = this.flags.all ? undefined : (this.flags.limit ?? DEFAULT_LIMIT)
    const { clients, more } = await countingPages(this.rt.progress, 'listing clients', (onPage) => list({ limit, onPage }))
    if (more) this.rt.info(`showing the first ${clients.length} clients: --all lists every one`)
    this.output<JsonDocument<'clients list'>>(clients, renderClients)
  }
}
