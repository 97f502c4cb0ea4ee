import { Flags } from '@oclif/core'
import { BaseCommand } from '../../lib/cli/base-command.js'
import { parseKeyValues } from '../../lib/cli/input.js'
import { grantNames } from '../../lib/grants/index.js'
import { renderToken, TOKEN_OUTPUTS, type TokenOutput } from '../../lib/output/token-output.js'
import { DEFAULT_MIN_TTL_SECONDS, nowSeconds } from '../../lib/tokens/cache.js'
import { getToken } from '../../lib/tokens/get-token.js'

export default class TokenGet extends BaseCommand<typeof TokenGet> {
  static override summary = 'Print a valid access token (cached, refreshed or newly granted).'
  static override description = `With --grant auto (the default) oauthctl returns a cached token that stays valid for at least --min-ttl seconds, else refreshes it with the stored refresh token, else uses the client credentials grant when the profile has a client secret, else exits 3.
Tokens are cached per profile and per scope/audience/resource set. A cached token costs no network request.`

  static override examples = [
    { description: 'Use in a script', command: 'TOKEN=$(<%= config.bin %> token get)' },
    { description: 'A header for curl', command: 'curl -H "$(<%= config.bin %> token get --output header)" https://api.example.com/me' },
    { description: 'In CI with no config file', command: 'OAUTHCTL_ISSUER=https://idp.example.com OAUTHCTL_CLIENT_ID=ci OAUTHCTL_CLIENT_SECRET=… <%= config.bin %> token get --storage none' },
  ]

  static override flags = {
    grant: Flags.string({ summary: 'Which grant to use.', options: grantNames(), default: 'auto' }),
    scope: Flags.string({ summary: 'Scope to request (repeatable; default: the profile\'s scopes).', multiple: true }),
    audience: Flags.string({ summary: 'Audience to request.' }),
    resource: Flags.string({ summary: 'Resource indicator (RFC 8707) to request.' }),
    'min-ttl': Flags.integer({ summary: 'Seconds a cached token must stay valid to be reused.', default: DEFAULT_MIN_TTL_SECONDS, min: 0 }),
    force: Flags.boolean({ summary: 'Skip the cache and ask the server.' }),
    output: Flags.string({ char: 'o', summary: 'raw (the bare token), json, header or env.', options: [...TOKEN_OUTPUTS], default: 'raw' }),
    param: Flags.string({ summary: 'Extra token request parameter KEY=VALUE (repeatable).', multiple: true }),
  }

  async run(): Promise<void> {
    const { name, profile } = await this.rt.profile()
    const result = await getToken(
      {
        grant: this.flags.grant,
        scopes: this.flags.scope ?? [],
        audience: this.flags.audience,
        resource: this.flags.resource,
        minTtl: this.flags['min-ttl'],
        force: this.flags.force,
        params: parseKeyValues(this.flags.param, '--param'),
      },
      {
        profileName: name,
        profile,
        store: await this.rt.store(profile),
        http: await this.rt.http(),
        env: this.rt.env,
        configDir: this.rt.configDir,
        now: nowSeconds,
      },
    )
    if (this.flags.verbose) this.rt.info(`* token from ${result.source}, expires ${new Date(result.token.expires_at * 1000).toISOString()}`)
    const output = (this.flags.json ? 'json' : this.flags.output) as TokenOutput
    process.stdout.write(renderToken(result.token, output))
  }
}
