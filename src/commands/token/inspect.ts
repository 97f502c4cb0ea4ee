import { join } from 'node:path'
import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { readStdin } from '../../cli/input.js'
import { authRequired, usageError } from '../../lib/errors.js'
import type { JsonDocument } from '../../lib/documents/json-schemas.js'
import { registerSecret } from '../../lib/redact.js'
import { readStoredToken } from '../../lib/use-cases/get-token.js'
import { noIdToken } from '../../lib/use-cases/id-token.js'
import { describeBinding, describeInspection, inspectToken, senderBinding } from '../../lib/tokens/inspect.js'
import type { VerifyResult } from '../../lib/tokens/verify.js'

export default class TokenInspect extends BaseCommand<typeof TokenInspect> {
  static override summary = 'Decode a token: JWT header, claims, dates and time left; verify or introspect it.'
  static override description = `With no argument, inspects the profile's stored token (without contacting the server). \`-\` reads the token from stdin. Decoding alone does not verify anything.
--verify checks the signature against the issuer's JWKS (cached; fetched again once for an unknown key) and iss, aud (against --audience or the profile's audience/resource), exp and nbf with 60 s of clock tolerance; a failed check exits 4 naming it.
--introspect asks the introspection endpoint (RFC 7662) with the client's authentication.
A sender-constrained token names what it is bound to (its cnf claim, or cnf in the introspection response): a DPoP key (cnf.jkt, RFC 9449) or a client certificate (cnf.x5t#S256, RFC 8705).`
  static override examples = [
    '<%= config.bin %> token inspect',
    '<%= config.bin %> token get | <%= config.bin %> token inspect - --verify',
    '<%= config.bin %> token inspect --introspect --json',
  ]
  static override args = { token: Args.string({ description: 'The token, or - for stdin (default: the stored token).' }) }
  static override flags = {
    verify: Flags.boolean({ summary: "Verify the signature and claims against the issuer's JWKS." }),
    introspect: Flags.boolean({ summary: 'Ask the introspection endpoint (RFC 7662).' }),
    audience: Flags.string({ summary: 'Audience --verify expects (default: the profile audience or resource; the client id with --id-token).' }),
    'id-token': Flags.boolean({ summary: "The profile's stored ID token instead of its access token." }),
  }

  async run(): Promise<void> {
    const token = await this.tokenToInspect()
    registerSecret(token)
    const { nowSeconds } = await import('../../lib/tokens/cache.js')
    const inspection = inspectToken(token, nowSeconds())
    let verification: VerifyResult | undefined
    let introspection: Record<string, unknown> | undefined
    if (this.flags.verify || this.flags.introspect) {
      const ctx = await this.rt.tokenContext()
      const session = await this.rt.session(ctx)
      if (this.flags.verify) {
        if (inspection.format === 'opaque') throw usageError('an opaque token has no signature to verify; try --introspect', { code: 'opaque_token' })
        const jwksUri = session.as.jwks_uri
        if (!jwksUri) throw usageError('the issuer publishes no jwks_uri to verify against', { code: 'no_endpoint' })
        const { verifyJwt } = await import('../../lib/tokens/verify.js')
        verification = await verifyJwt(token, {
          issuer: session.as.issuer,
          jwksUri,
          audience: this.flags.audience ?? (this.flags['id-token'] ? ctx.profile.clientId : (ctx.profile.audience ?? ctx.profile.resource)),
          http: ctx.http,
          cacheDir: join(this.rt.configDir, 'cache'),
          now: nowSeconds,
        })
      }
      if (this.flags.introspect) {
        const { introspect } = await import('../../lib/tokens/introspect.js')
        introspection = await introspect(session, token)
      }
    }
    const result: JsonDocument<'token inspect'> = inspection.format === 'jwt' ? { ...inspection, verification, introspection } : { ...inspection, introspection }
    // An opaque token shows its binding only through introspection.
    const introspectedBinding = inspection.format === 'opaque' ? senderBinding(introspection?.cnf) : undefined
    this.output(result, () =>
      [
        describeInspection(inspection),
        verification ? `verified: ${verification.checked.join(', ')}` : undefined,
        introspection ? `introspection: ${JSON.stringify(introspection, null, 2)}` : undefined,
        introspectedBinding && describeBinding(introspectedBinding),
      ]
        .filter(Boolean)
        .join('\n'),
    )
  }

  private async tokenToInspect(): Promise<string> {
    if (this.args.token && this.flags['id-token']) throw usageError('--id-token inspects the stored ID token: give no token argument with it', { code: 'bad_flag' })
    if (this.args.token === '-') return readStdin('token inspect -')
    if (this.args.token) return this.args.token
    const ctx = await this.rt.tokenContext()
    // The store only: inspecting never fetches a token as a side effect.
    const stored = await readStoredToken(ctx)
    if (!stored) throw authRequired(`no stored token for profile ${ctx.profileName}`, { hint: 'run oauthctl token get or oauthctl login first, or pass the token' })
    if (!this.flags['id-token']) return stored.access_token
    if (!stored.id_token) throw noIdToken(ctx.profileName, 'none is stored (was openid among the scopes?)')
    return stored.id_token
  }
}
