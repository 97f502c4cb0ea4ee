import { Flags } from '@oclif/core'
import { adminContext } from '../../cli/admin.js'
import { generateToken } from '../../lib/vendors/nutanix/admin.js'
import { BaseCommand, integerFlag } from '../../cli/base-command.js'
import type { JsonDocument } from '../../lib/documents/json-schemas.js'
import { expiryJson } from '../../lib/tokens/token-output.js'

export default class TokenGenerate extends BaseCommand<typeof TokenGenerate> {
  static override summary = 'Create an OAuth client and a token for it in one step (Nutanix Prism Central).'
  static override description = `Calls Prism Central's POST /oauth/generate_token as the profile's Prism user (--username; the password from OAUTHCTL_ADMIN_PASSWORD, secret storage or a prompt).
The new client id and secret are printed once, on stdout. The access token is stored for this profile and these scopes: oauthctl token get with the same --scope flags prints it until it expires.`

  static override examples = [
    '<%= config.bin %> token generate --scope vm.read --scope cluster.read --name ci-pipeline --description "Token for CI jobs"',
    '<%= config.bin %> token generate --scope vm.read --expires-in 86400 --json',
  ]

  static override flags = {
    scope: Flags.string({ summary: 'Scope of the client and its token (repeatable).', multiple: true, required: true }),
    name: Flags.string({ summary: 'Name of the new client (default: oauthctl-PROFILE).' }),
    description: Flags.string({ summary: 'Description of the new client.', default: 'Created by oauthctl token generate' }),
    'expires-in': integerFlag('a number of seconds', { summary: "Token lifetime in seconds (default: Prism Central's).", min: 1 }),
  }

  async run(): Promise<void> {
    const ctx = await adminContext(this.rt)
    const result = await generateToken(ctx, {
      scopes: this.flags.scope,
      name: this.flags.name ?? `oauthctl-${ctx.profileName}`,
      description: this.flags.description,
      expiresIn: this.flags['expires-in'],
    })
    const expiry = expiryJson(result.token.expires_at)
    this.output<JsonDocument<'token generate'>>({ clientId: result.clientId, clientSecret: result.clientSecret, profile: ctx.profileName, scopes: this.flags.scope, ...expiry }, (r) =>
      [`client id: ${r.clientId}`, `client secret: ${r.clientSecret}`].join('\n'),
    )
    const scopes = this.flags.scope.map((s) => `--scope ${s}`).join(' ')
    this.rt.info(`the client secret is shown this once. The access token (expires ${expiry.expiresAt}) is stored for profile ${ctx.profileName}: oauthctl token get ${scopes}`)
  }
}
