import { type ExecCredentialApiVersion, renderExecCredential, renderToken, type TokenOutput } from '../tokens/token-output.cjs'
import { type GetTokenOptions, getToken } from '../use-cases/get-token.js'
import { type TokenContext } from '../tokens/context.js'
import { getIdToken, renderIdToken } from '../use-cases/id-token.js'
import { requestedExecApiVersion } from './kubectl.js'

export type ConsumerOutput = TokenOutput | 'exec-credential'

/**
 * `token get` for a program that consumes the token: the access token or (`idToken`) the ID token,
 * in any output, including kubectl's ExecCredential in the version kubectl asked for.
 */
export async function tokenForConsumer(options: GetTokenOptions, ctx: TokenContext, want: { idToken: boolean; output: ConsumerOutput }): Promise<string> {
  // Checked before any request: kubectl asking for a version we cannot answer is a configuration error.
  const execVersion: ExecCredentialApiVersion | undefined = want.output === 'exec-credential' ? requestedExecApiVersion(ctx.env) : undefined
  if (want.idToken) {
    const result = await getIdToken(options, ctx)
    return execVersion ? renderExecCredential(result.idToken, result.expiresAt, execVersion) : renderIdToken(result, want.output as TokenOutput)
  }
  const { token } = await getToken(options, ctx)
  return execVersion ? renderExecCredential(token.access_token, token.expires_at, execVersion) : renderToken(token, want.output as TokenOutput)
}
