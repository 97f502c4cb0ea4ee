import { Flags } from '@oclif/core'
import { AdminCommand, deliverFlags, saveProfileFlag, specFlags, verifyFlag } from '../../cli/admin.js'
import { checkVerifiable } from '../../lib/use-cases/deliver-secret.js'
import { planCreate } from '../../lib/use-cases/admin.js'
import { checkSaveProfileName } from '../../lib/use-cases/save-client-profile.js'
import { readClientSpec } from '../../lib/admin/spec.js'
import { readStdin } from '../../cli/input.js'

export default class ClientsCreate extends AdminCommand<typeof ClientsCreate> {
  static override summary = 'Create an OAuth client and print its secret once.'
  static override description = `Standard servers: dynamic registration (RFC 7591) at the profile's registration endpoint; the registration access token it returns is kept in secret storage for get, update and delete. Genesys Cloud and Nutanix: their client APIs.
The new secret is printed once on stdout; with --save-profile NAME it goes into secret storage for that profile instead, ready for oauthctl token get -p NAME. With --deliver 'CMD ARGS' it is written to CMD's stdin (no shell) instead; if CMD fails (exit 7), the secret is kept for oauthctl clients recover-secret ID. --verify first proves it gets a token (client_credentials clients).
--from-file takes JSON with the same fields (name, description, redirectUris, grantTypes, scopes, tokenTtl, roleDivisions), or the back end's own client document (RFC 7591 metadata, a Genesys Cloud OAuthClient, a Nutanix v3 client, as clients get ID --json --native prints it), checked before anything is sent.`

  static override examples = [
    { description: 'A service client, straight into a profile', command: '<%= config.bin %> clients create --name nightly-export --grant-type client_credentials --save-profile export' },
    { description: 'Genesys Cloud client credentials with a role', command: '<%= config.bin %> clients create -p gc --name export --grant-type client_credentials --role-division ROLE_ID:DIVISION_ID' },
    { description: 'A service client whose secret goes straight into Vault', command: "<%= config.bin %> clients create --name export --grant-type client_credentials --verify --deliver 'vault kv put secret/export client_secret=-'" },
    { description: 'A registration that needs an initial access token', command: 'printf %s "$IAT" | <%= config.bin %> clients create --name app --redirect-uri http://127.0.0.1/callback --initial-access-token-stdin' },
  ]

  static override flags = {
    ...specFlags,
    'save-profile': saveProfileFlag,
    ...deliverFlags,
    verify: verifyFlag,
    'initial-access-token-stdin': Flags.boolean({ summary: 'Read the RFC 7591 initial access token from stdin (also OAUTHCTL_INITIAL_ACCESS_TOKEN).' }),
  }

  async run(): Promise<void> {
    const f = this.flags
    checkSaveProfileName(f['save-profile'])
    const admin = await this.admin()
    const handOver = this.handOver(admin, f)
    const spec = await readClientSpec(f, f['from-file'], { native: admin.backend.native })
    if (handOver.verify) checkVerifiable(spec.grantTypes)
    const initialAccessToken = f['initial-access-token-stdin'] ? await readStdin('--initial-access-token-stdin') : this.rt.env.OAUTHCTL_INITIAL_ACCESS_TOKEN || undefined
    const issued = await this.change(await planCreate(admin.backend, spec, { initialAccessToken }), { dryRun: f['dry-run'] })
    if (issued) await this.deliver(admin, issued, f['save-profile'], handOver)
  }
}
