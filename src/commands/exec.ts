import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.js'
import { proofTargetFlags, proofTargetFromFlags, tokenOptionsFromFlags, tokenRequestFlags } from '../cli/token-flags.js'
import { childEnv, runChild } from '../lib/integrations/exec.js'
import { usageError } from '../lib/errors.js'
import { resourceProof } from '../lib/tokens/dpop-proof.js'
import { getToken } from '../lib/use-cases/get-token.js'

export default class Exec extends BaseCommand<typeof Exec> {
  static override summary = 'Run a command with a fresh access token in its environment.'
  static override description = `The token is got as \`token get\` would (cache, refresh, grant) and set as OAUTHCTL_ACCESS_TOKEN (and OAUTHCTL_TOKEN_TYPE, Bearer or DPoP); --header-env NAME also sets NAME to "<type> <token>". No shell is involved: the command after -- runs as given. Its exit code is passed through.
A DPoP-bound token (--dpop, or a profile with DPoP) needs a proof per request: --htu URL (and --htm, default GET) sets OAUTHCTL_DPOP_PROOF to a proof for that one request; a child that sends more requests needs a proof for each (oauthctl token get --dpop-proof).`
  static override examples = [
    '<%= config.bin %> exec -- sh -c \'curl -H "Authorization: Bearer $OAUTHCTL_ACCESS_TOKEN" https://api.example.com\'',
    '<%= config.bin %> exec --header-env AUTH_HEADER -- ./deploy.sh',
    '<%= config.bin %> exec --dpop --htu https://api.example.com/me -- sh -c \'curl -H "Authorization: DPoP $OAUTHCTL_ACCESS_TOKEN" -H "DPoP: $OAUTHCTL_DPOP_PROOF" https://api.example.com/me\'',
  ]
  static override strict = false
  static override flags = {
    ...tokenRequestFlags,
    'header-env': Flags.string({ summary: 'Also set this variable to "<token type> <token>".' }),
    ...proofTargetFlags,
  }

  async run(): Promise<void> {
    const headerEnv = this.flags['header-env']
    if (headerEnv && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(headerEnv)) throw usageError('--header-env must be a variable name', { code: 'bad_flag' })
    const target = proofTargetFromFlags(this.flags)
    const ctx = await this.rt.tokenContext()
    const { token } = await getToken(await tokenOptionsFromFlags(this.flags, this.rt.env), ctx)
    const proof = target && (await resourceProof(ctx, token, target))
    await this.rt.close() // the child may run for long: no idle sockets kept open meanwhile
    process.exitCode = await runChild(this.rest, childEnv(token, headerEnv, this.rt.env, proof))
  }
}
