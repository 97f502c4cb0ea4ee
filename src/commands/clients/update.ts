import { Args } from '@oclif/core'
import { AdminCommand, renderClient, specFlags } from '../../cli/admin.js'
import { planUpdate } from '../../lib/use-cases/admin.js'
import type { AppliedJson } from '../../lib/documents/json-schemas.js'
import { readClientSpec } from '../../lib/admin/spec.js'

export default class ClientsUpdate extends AdminCommand<typeof ClientsUpdate> {
  static override summary = 'Change an OAuth client: only the fields you give change.'
  static override description = `The current client is read first and sent back whole with your changes, because these APIs replace a client on update (RFC 7592, Genesys Cloud, Nutanix). On phone.com only the redirect URIs can change: they become exactly the ones given.
--from-file also takes the back end's own document: edit what clients get ID --json --native prints and give it back. Fields the server sets (ids, secrets, dates) are not sent; an id that is not ID is refused.`
  static override examples = [
    '<%= config.bin %> clients update 3b2f6c1e-9a7d-4e85-b1c0-7d6e5f4a3b21 --token-ttl 3600',
    '<%= config.bin %> clients get 3b2f6c1e-9a7d-4e85-b1c0-7d6e5f4a3b21 --json --native > client.json && <%= config.bin %> clients update 3b2f6c1e-9a7d-4e85-b1c0-7d6e5f4a3b21 --from-file client.json',
    '<%= config.bin %> clients update 1207 -p phonecom --redirect-uri https://app.example.com/cb --dry-run',
  ]

  static override args = { id: Args.string({ description: 'Client id.', required: true }) }
  static override flags = specFlags

  async run(): Promise<void> {
    const { backend } = await this.admin()
    const spec = await readClientSpec(this.flags, this.flags['from-file'], { native: backend.native, id: this.args.id })
    const client = await this.change(await planUpdate(backend, this.args.id, spec), { dryRun: this.flags['dry-run'] })
    if (client) this.output<AppliedJson<'clients update'>>(client, renderClient)
  }
}
