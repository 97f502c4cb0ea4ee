import { Flags } from '@oclif/core'
import { BaseCommand } from '../lib/cli/base-command.js'
import { tokenOptionsFromFlags, tokenRequestFlags } from '../lib/cli/token-flags.js'
import { childEnv, runChild } from '../lib/exec.js'
import { usageError } from '../lib/errors.js'
import { getToken } from '../lib/tokens/get-token.js'

export default class Exec extends BaseCommand<typeof Exec> {
  static override summary = 'Run a command with a fresh access token in its environment.'
  static override description = `The token is got as \`token get\` would (cache, refresh, grant) and set as OAUTHCTL_ACCESS_TOKEN (and OAUTHCTL_TOKEN_TYPE); --header-env NAME also sets NAME to "Bearer <token>". No shell is involved: the command after -- runs as given. Its exit code is passed through.`
  static override examples = [
    '<%= config.bin %> exec -- sh -c \'curl -H "Authorization: Bearer $OAUTHCTL_ACCESS_TOKEN" https://api.example.com\'',
    '<%= config.bin %> exec --header-env AUTH_HEADER -- ./deploy.sh',
  ]
  static override strict = false
  static override flags = {
    ...tokenRequestFlags,
    'header-env': Flags.string({ summary: 'Also set this variable to "Bearer <token>".' }),
  }

  async run(): Promise<void> {
    const headerEnv = this.flags['header-env']
    if (headerEnv && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(headerEnv)) throw usageError('--header-env must be a variable name', { code: 'bad_flag' })
    const { token } = await getToken(await tokenOptionsFromFlags(this.flags, this.rt.env), await this.rt.tokenContext())
    await this.rt.close() // the child may run for long: no idle sockets kept open meanwhile
    process.exitCode = await runChild(this.rest, childEnv(token, headerEnv, this.rt.env))
  }
}
