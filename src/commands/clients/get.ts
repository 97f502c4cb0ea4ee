import { Args, Flags } from '@oclif/core'
import { AdminCommand, renderClient } from '../../cli/admin.js'
import { operation } from '../../lib/use-cases/admin.js'
import type { JsonDocument } from '../../lib/documents/json-schemas.js'

export default class ClientsGet extends AdminCommand<typeof ClientsGet> {
  static override summary = 'Show one OAuth client (never its secret).'
  static override description = `On a standard server this reads the client configuration endpoint (RFC 7592) with the registration access token kept when the client was created with oauthctl clients create.
--native prints the back end's own document as the server returned it (RFC 7591 metadata, a Genesys Cloud OAuthClient, a Nutanix v3 client, a phone.com client with its redirect URIs), secrets and registration access tokens redacted: edit it and give it to clients update ID --from-file.`
  static override examples = [
    '<%= config.bin %> clients get 3b2f6c1e-9a7d-4e85-b1c0-7d6e5f4a3b21',
    '<%= config.bin %> clients get 1207 --json',
    '<%= config.bin %> clients get 3b2f6c1e-9a7d-4e85-b1c0-7d6e5f4a3b21 --json --native > client.json',
  ]
  static override args = { id: Args.string({ description: 'Client id.', required: true }) }
  static override flags = {
    native: Flags.boolean({ summary: "Print the back end's own client document (JSON, secrets redacted), which clients update --from-file takes back." }),
  }

  async run(): Promise<void> {
    const { backend } = await this.admin()
    const client = await operation(backend, 'get')(this.args.id)
    // The native document is JSON whatever the output mode: it is meant to be edited and sent back.
    if (this.flags.native) this.output<JsonDocument<'clients get --native'>>(client.raw, (raw) => JSON.stringify(raw, null, 2))
    else this.output<JsonDocument<'clients get'>>(client, renderClient)
  }
}
