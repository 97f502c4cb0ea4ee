import { Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { usageError } from '../../lib/errors.js'
import { proofTargetFlags, proofTargetFromFlags, tokenOptionsFromFlags, tokenRequestFlags } from '../../cli/token-flags.js'
import { renderToken, TOKEN_OUTPUTS, type TokenOutput } from '../../lib/tokens/token-output.js'
import { renderTokenWithProof, resourceProof } from '../../lib/tokens/dpop-proof.js'
import { getToken } from '../../lib/use-cases/get-token.js'
import { type ConsumerOutput, tokenForConsumer } from '../../lib/integrations/token-for.js'

export default class TokenGet extends BaseCommand<typeof TokenGet> {
  static override summary = 'Print a valid access token (cached, refreshed or newly granted).'
  static override description = `With --grant auto (the default) oauthctl returns a cached token that stays valid for at least --min-ttl seconds, else refreshes it with the stored refresh token, else uses the client credentials grant when the profile has a client secret or key, else exits 3.
Tokens are cached per profile and per scope/audience/resource set. A cached token costs no network request. Parallel calls that need a new token cause one token request: the others wait for it on a lock.
Other grants: password (--username, --password-stdin), token_exchange (RFC 8693, --subject-token), jwt_bearer (RFC 7523, --assertion-file or the profile's key). Token-valued inputs are read from stdin (-), a file (@FILE) or a variable (env:NAME), never from the command line.
--dpop (or a profile added with --dpop) binds the token to the profile's DPoP key (RFC 9449): its type is then DPoP, and each request to a resource needs a fresh proof, which --dpop-proof --htm METHOD --htu URL prints (with --output header: both headers). --cert/--key (or the profile's) present a client certificate (RFC 8705). --authorization-details asks for a rich authorization request (RFC 9396); such a token is always requested afresh.`

  static override examples = [
    { description: 'Use in a script', command: 'TOKEN=$(<%= config.bin %> token get)' },
    { description: 'A header for curl', command: 'curl -H "$(<%= config.bin %> token get --output header)" https://api.example.com/me' },
    { description: 'In CI with no config file', command: 'OAUTHCTL_ISSUER=https://idp.example.com OAUTHCTL_CLIENT_ID=ci OAUTHCTL_CLIENT_SECRET=… <%= config.bin %> token get --storage none' },
    { description: 'Exchange a token', command: '<%= config.bin %> token get --grant token_exchange --subject-token env:UPSTREAM_TOKEN --audience backend' },
    { description: 'A DPoP-bound token and a proof for one request', command: '<%= config.bin %> token get --dpop-proof --htm GET --htu https://api.example.com/me --output header | curl -H @- https://api.example.com/me' },
    { description: 'Rich authorization request', command: '<%= config.bin %> token get --authorization-details \'[{"type":"account_information","actions":["read_balances"]}]\'' },
  ]

  static override flags = {
    ...tokenRequestFlags,
    output: Flags.string({ char: 'o', summary: 'raw (the bare token), json, header, env, or exec-credential (kubectl).', options: [...TOKEN_OUTPUTS, 'exec-credential'], default: 'raw' }),
    'id-token': Flags.boolean({ summary: 'Print the ID token instead (refreshed when it expires), e.g. for Kubernetes OIDC.' }),
    'dpop-proof': Flags.boolean({
      summary: 'Print a DPoP proof for the request --htm/--htu describe, bound to the (DPoP) token; raw output: the proof alone.',
      helpGroup: 'DPOP PROOF',
    }),
    ...proofTargetFlags,
  }

  async run(): Promise<void> {
    const ctx = await this.rt.tokenContext()
    const target = proofTargetFromFlags(this.flags)
    if (Boolean(this.flags['dpop-proof']) !== (target !== undefined)) {
      throw usageError('--dpop-proof and --htu go together: the proof is for the request to --htu (method --htm, default GET)', { code: 'bad_flag' })
    }
    const options = await tokenOptionsFromFlags(this.flags, this.rt.env)
    if (this.flags['id-token'] || this.flags.output === 'exec-credential') {
      if (target) throw usageError('--dpop-proof goes with the access token in raw, json, header or env output', { code: 'bad_flag' })
      const output = this.flags.json ? 'json' : (this.flags.output as ConsumerOutput)
      return void process.stdout.write(await tokenForConsumer(options, ctx, { idToken: this.flags['id-token'], output }))
    }
    const result = await getToken(options, ctx)
    if (this.flags.verbose) this.rt.info(`* token from ${result.source}, expires ${new Date(result.token.expires_at * 1000).toISOString()}`)
    const output = (this.flags.json ? 'json' : this.flags.output) as TokenOutput
    if (!target) return void process.stdout.write(renderToken(result.token, output))
    process.stdout.write(renderTokenWithProof(result.token, output, await resourceProof(ctx, result.token, target)))
  }
}
