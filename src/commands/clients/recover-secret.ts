import { Args } from '@oclif/core'
import { AdminCommand, deliverFlags, saveProfileFlag } from '../../cli/admin.js'
import { recoveryEntry } from '../../lib/use-cases/deliver-secret.js'
import { checkSaveProfileName } from '../../lib/use-cases/save-client-profile.js'

export default class ClientsRecoverSecret extends AdminCommand<typeof ClientsRecoverSecret> {
  static override summary = 'Get back a new client secret whose --deliver or --verify failed.'
  static override description = `create and rotate-secret keep a new secret in secret storage when --deliver or --verify fails. This prints it once on stdout, or with --deliver 'CMD ARGS' tries the delivery again, or with --save-profile NAME stores it for that profile (both: deliver, then save). The kept secret is deleted only after that worked; nothing kept is exit 3.`
  static override examples = [
    '<%= config.bin %> clients recover-secret 3b2f6c1e-9a7d-4e85-b1c0-7d6e5f4a3b21',
    "<%= config.bin %> clients recover-secret 3b2f6c1e-9a7d-4e85-b1c0-7d6e5f4a3b21 --deliver 'vault kv put secret/export client_secret=-'",
  ]

  static override args = { id: Args.string({ description: 'Client id.', required: true }) }
  static override flags = { 'save-profile': saveProfileFlag, ...deliverFlags }

  async run(): Promise<void> {
    const f = this.flags
    checkSaveProfileName(f['save-profile'])
    const admin = await this.admin()
    const handOver = this.handOver(admin, f)
    const issued = await recoveryEntry(await admin.ctx.store(), admin.ctx.profileName, this.args.id).read()
    await this.deliver(admin, issued, f['save-profile'], { ...handOver, recovering: true })
  }
}
