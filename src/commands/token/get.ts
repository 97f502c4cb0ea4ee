import { Flags } from '@oclif/core'
import { BaseCommand } from '../../lib/cli/base-command.js'
import { tokenOptionsFromFlags, tokenRequestFlags } from '../../lib/cli/token-flags.js'
import { renderToken, TOKEN_OUTPUTS, type TokenOutput } from '../../lib/output/token-output.js'
import { getToken } from '../../lib/tokens/get-token.js'

export default class TokenGet extends BaseCommand<typeof TokenGet> {
  static override summary = 'Print a valid access token (cached, refreshed or newly granted).'
  static override description = `With --grant auto (the default) oauthctl returns a cached token that stays valid for at least --min-ttl seconds, else refreshes it with the stored refresh token, else uses the client credentials grant when the profile has a client secret or key, else exits 3.
Tokens are cached per profile and per scope/audience/resource set. A cached token costs no network request. Parallel calls that need a new token cause one token request: the others wait for it on a lock.
Other grants: password (--username, --password-stdin), token_exchange (RFC 8693, --subject-token), jwt_bearer (RFC 7523, --assertion-file or the profile's key). Token-valued inputs are read from stdin (-), a file (@FILE) or a variable (env:NAME), never from the command line.`

  static override examples = [
    { description: 'Use in a script', command: 'TOKEN=$(<%= config.bin %> token get)' },
    { description: 'A header for curl', command: 'curl -H "$(<%= config.bin %> token get --output header)" https://api.example.com/me' },
    { description: 'In CI with no config file', command: 'OAUTHCTL_ISSUER=https://idp.example.com OAUTHCTL_CLIENT_ID=ci OAUTHCTL_CLIENT_SECRET=… <%= config.bin %> token get --storage none' },
    { description: 'Exchange a token', command: '<%= config.bin %> token get --grant token_exchange --subject-token env:UPSTREAM_TOKEN --audience backend' },
  ]

  static override flags = {
    ...tokenRequestFlags,
    output: Flags.string({ char: 'o', summary: 'raw (the bare token), json, header or env.', options: [...TOKEN_OUTPUTS], default: 'raw' }),
  }

  async run(): Promise<void> {
    const ctx = await this.rt.tokenContext()
    const result = await getToken(await tokenOptionsFromFlags(this.flags, this.rt.env), ctx)
    if (this.flags.verbose) this.rt.info(`* token from ${result.source}, expires ${new Date(result.token.expires_at * 1000).toISOString()}`)
    const output = (this.flags.json ? 'json' : this.flags.output) as TokenOutput
    process.stdout.write(renderToken(result.token, output))
  }
}
