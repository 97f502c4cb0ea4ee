import { CliError } from '../errors.js'
import { createDpopProof, dpopKeyPair, type DpopKeyContext, type ProofTarget } from '../oauth/dpop.js'
import { envLine, renderToken, type TokenOutput, tokenJson } from './token-output.js'
import type { StoredToken } from './token-set.js'

/**
 * A DPoP proof for one request to a resource server (RFC 9449 §7): made with the profile's key and
 * bound to the access token (`ath`). Proofs are single-use: one per request.
 */
export async function resourceProof(ctx: DpopKeyContext, token: StoredToken, target: Omit<ProofTarget, 'accessToken'>): Promise<string> {
  if (token.token_type !== 'DPoP') {
    // The token request carried a proof, and the server answered with a Bearer token: it does not do DPoP.
    throw new CliError('server_refused', 'the server issued a Bearer token, not a DPoP-bound one: a proof would not bind it', {
      code: 'dpop_not_bound',
      hint: 'check that the server supports DPoP (dpop_signing_alg_values_supported in its metadata)',
    })
  }
  return createDpopProof(await dpopKeyPair(ctx), { ...target, accessToken: token.access_token })
}

/**
 * `token get --dpop-proof` in each output: raw is the proof alone; header the two request headers
 * (for `curl -H @FILE`); env adds OAUTHCTL_DPOP_PROOF; json adds `dpopProof`.
 */
export function renderTokenWithProof(token: StoredToken, output: TokenOutput, proof: string): string {
  switch (output) {
    case 'raw':
      return `${proof}\n`
    case 'header':
      return `${renderToken(token, 'header')}DPoP: ${proof}\n`
    case 'env':
      return renderToken(token, 'env') + envLine('OAUTHCTL_DPOP_PROOF', proof)
    case 'json':
      return `${JSON.stringify({ ...tokenJson(token), dpopProof: proof }, null, 2)}\n`
  }
}
