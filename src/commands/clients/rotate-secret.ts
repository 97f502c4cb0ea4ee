import { Args } from '@oclif/core'
import { AdminCommand, deliverFlags, dryRunFlag, saveProfileFlag, verifyFlag, yesFlag } from '../../cli/admin.js'
import { operation } from '../../lib/use-cases/admin.js'
import { checkSaveProfileName } from '../../lib/use-cases/save-client-profile.js'

export default class ClientsRotateSecret extends AdminCommand<typeof ClientsRotateSecret> {
  static override summary = 'Give an OAuth client a new secret and print it once.'
  static override description = `Asks first on a terminal; elsewhere needs --yes. With --save-profile NAME the new secret goes into secret storage for that profile instead of stdout.
With --deliver 'CMD ARGS' the new secret is written to CMD's stdin (no shell; CMD's output goes to stderr) and not printed; if CMD fails or times out (--deliver-timeout, default 60 s), the command exits 7 and the secret is kept for oauthctl clients recover-secret ID. --verify first proves the new secret gets a token (a client_credentials request at the profile's token endpoint): exit 4 if not, the secret kept the same way.
Genesys Cloud rotates on request. A standard server is asked through an RFC 7592 update; one that keeps the current secret makes this exit 2. Nutanix and phone.com have no rotation (exit 2).`
  static override examples = [
    '<%= config.bin %> clients rotate-secret 3b2f6c1e-9a7d-4e85-b1c0-7d6e5f4a3b21 --yes --save-profile export',
    "<%= config.bin %> clients rotate-secret 3b2f6c1e-9a7d-4e85-b1c0-7d6e5f4a3b21 --yes --verify --deliver 'gh secret set CLIENT_SECRET'",
  ]

  static override args = { id: Args.string({ description: 'Client id.', required: true }) }
  static override flags = { yes: yesFlag, 'save-profile': saveProfileFlag, ...deliverFlags, verify: verifyFlag, 'dry-run': dryRunFlag }

  async run(): Promise<void> {
    const f = this.flags
    checkSaveProfileName(f['save-profile'])
    const admin = await this.admin()
    const handOver = this.handOver(admin, f)
    const id = this.args.id
    const issued = await this.change(await operation(admin.backend, 'rotateSecret')(id), {
      dryRun: f['dry-run'],
      confirm: { yes: f.yes, question: `Rotate the secret of client ${id} (${admin.backend.label})? Apps using the current secret will need the new one.` },
    })
    if (issued) await this.deliver(admin, issued, f['save-profile'], handOver)
  }
}
