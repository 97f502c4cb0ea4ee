import { Args } from '@oclif/core'
import { AdminCommand, renderClient } from '../../lib/admin/cli.js'
import { operation } from '../../lib/admin/index.js'

export default class ClientsGet extends AdminCommand<typeof ClientsGet> {
  static override summary = 'Show one OAuth client (never its secret).'
  static override description = `On a standard server this reads the client configuration endpoint (RFC 7592) with the registration access token kept when the client was created with oauthctl clients create.`
  static override examples = ['<%= config.bin %> clients get 3b2f6c1e-9a7d-4e85-b1c0-7d6e5f4a3b21', '<%= config.bin %> clients get 1207 --json']
  static override args = { id: Args.string({ description: 'Client id.', required: true }) }

  async run(): Promise<void> {
    const { backend } = await this.admin()
    this.output(await operation(backend, 'get')(this.args.id), renderClient)
  }
}
