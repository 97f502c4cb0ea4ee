import { Flags } from '@oclif/core'
import { grantNames } from '../lib/grants/index.js'
import type { GrantInputs } from '../lib/grants/types.js'
import { type AuthorizationDetails, readAuthorizationDetails } from '../lib/oauth/authorization-details.js'
import type { ProofTarget } from '../lib/oauth/dpop.js'
import type { SenderOptions } from '../lib/oauth/sender.js'
import { DEFAULT_MIN_TTL_SECONDS } from '../lib/tokens/cache.js'
import type { GetTokenOptions } from '../lib/use-cases/get-token.js'
import { usageError } from '../lib/errors.js'
import { integerFlag } from './base-command.js'
import { canPrompt, parseKeyValues, promptSecret, readStdin } from './input.js'
import { readSecretArg } from './secret-input.js'

/** The flags that shape a token request, shared by `token get` and `exec` so they cannot drift. */
export const tokenRequestFlags = {
  grant: Flags.string({ summary: 'Which grant to use.', options: grantNames(), default: 'auto' }),
  scope: Flags.string({ summary: "Scope to request (repeatable; default: the profile's scopes).", multiple: true }),
  audience: Flags.string({ summary: 'Audience to request.' }),
  resource: Flags.string({ summary: 'Resource indicator (RFC 8707) to request.' }),
  'min-ttl': integerFlag('a number of seconds', { summary: 'Seconds a cached token must stay valid to be reused.', default: DEFAULT_MIN_TTL_SECONDS, min: 0 }),
  force: Flags.boolean({ summary: 'Skip the cache and ask the server.' }),
  param: Flags.string({ summary: 'Extra token request parameter KEY=VALUE (repeatable).', multiple: true }),
  username: Flags.string({ summary: 'Resource owner user name, with --grant password and --password-stdin (or OAUTHCTL_PASSWORD).', helpGroup: 'GRANT INPUTS' }),
  'password-stdin': Flags.boolean({ summary: 'Read the password for --grant password from stdin (else OAUTHCTL_PASSWORD, else a prompt).', helpGroup: 'GRANT INPUTS' }),
  'subject-token': Flags.string({ summary: 'Token to exchange (--grant token_exchange): - for stdin, @FILE or env:NAME.', helpGroup: 'GRANT INPUTS' }),
  'subject-token-type': Flags.string({ summary: 'Its type, e.g. access_token, id_token, jwt (default access_token).', helpGroup: 'GRANT INPUTS' }),
  'actor-token': Flags.string({ summary: 'Actor token for token exchange: - for stdin, @FILE or env:NAME.', helpGroup: 'GRANT INPUTS' }),
  'actor-token-type': Flags.string({ summary: 'The actor token type (default access_token).', helpGroup: 'GRANT INPUTS' }),
  'requested-token-type': Flags.string({ summary: 'Token type to ask for in the exchange.', helpGroup: 'GRANT INPUTS' }),
  'assertion-file': Flags.string({ summary: 'Assertion file: a JWT for --grant jwt_bearer (default: one signed with the profile key), or SAML for saml2_bearer.', helpGroup: 'GRANT INPUTS' }),
  'org-name': Flags.string({ summary: 'Organisation name for a vendor SAML bearer grant (Genesys Cloud).', helpGroup: 'GRANT INPUTS' }),
  ...advancedRequestFlags(),
}

/** Rich authorization requests, DPoP and mutual TLS for one command, on top of the profile's settings; shared with `login`. */
export function advancedRequestFlags() {
  return {
    'authorization-details': Flags.string({ summary: 'Rich authorization request (RFC 9396): a JSON array of objects with a "type", inline or in a file.' }),
    dpop: Flags.boolean({ summary: "Bind the tokens to the profile's DPoP key (RFC 9449), as profiles add --dpop does for every command.", helpGroup: 'SENDER CONSTRAINTS' }),
    cert: Flags.string({ summary: "Client certificate (PEM) for mutual TLS (RFC 8705), instead of the profile's.", helpGroup: 'SENDER CONSTRAINTS' }),
    key: Flags.string({ summary: 'Private key (PEM) of --cert.', helpGroup: 'SENDER CONSTRAINTS' }),
  }
}

type AdvancedRequestFlagValues = { 'authorization-details'?: string; dpop: boolean; cert?: string; key?: string }

/** The values of advancedRequestFlags(), read and validated (the authorization details file or JSON). */
export async function advancedRequestOptions(flags: AdvancedRequestFlagValues): Promise<{ sender: SenderOptions; authorizationDetails?: AuthorizationDetails }> {
  const details = flags['authorization-details']
  return {
    sender: { dpop: flags.dpop, tlsCert: flags.cert, tlsKey: flags.key },
    authorizationDetails: details === undefined ? undefined : await readAuthorizationDetails(details),
  }
}

/** The resource request a DPoP proof is made for (`token get --dpop-proof`, `exec`). */
export const proofTargetFlags = {
  htm: Flags.string({ summary: 'HTTP method of the resource request the DPoP proof is for.', default: 'GET', helpGroup: 'DPOP PROOF' }),
  htu: Flags.string({ summary: 'URL of the resource request the DPoP proof is for.', helpGroup: 'DPOP PROOF' }),
}

type TokenRequestFlagValues = AdvancedRequestFlagValues & {
  grant: string
  scope?: string[]
  audience?: string
  resource?: string
  'min-ttl': number
  force: boolean
  param?: string[]
  username?: string
  'password-stdin': boolean
  'subject-token'?: string
  'subject-token-type'?: string
  'actor-token'?: string
  'actor-token-type'?: string
  'requested-token-type'?: string
  'assertion-file'?: string
  'org-name'?: string
  /** A resource request to make a DPoP proof for (`token get --dpop-proof`, `exec`). */
  htu?: string
}

/** Flags into GetTokenOptions, reading the secret inputs from where the flags say they are. */
export async function tokenOptionsFromFlags(flags: TokenRequestFlagValues, env: NodeJS.ProcessEnv): Promise<GetTokenOptions> {
  const { sender, authorizationDetails } = await advancedRequestOptions(flags)
  return {
    grant: flags.grant,
    scopes: flags.scope ?? [],
    audience: flags.audience,
    resource: flags.resource,
    minTtl: flags['min-ttl'],
    force: flags.force,
    params: parseKeyValues(flags.param, '--param'),
    inputs: await grantInputs(flags, env),
    // A proof for a resource request is worth something only with a token bound to the same key.
    sender: { ...sender, dpop: sender.dpop || flags.htu !== undefined },
    authorizationDetails,
  }
}

/** `--htm`/`--htu` as a proof target, checked: a method token, an absolute http(s) URL. Absent `--htu`: no proof wanted. */
export function proofTargetFromFlags(flags: { htm: string; htu?: string }): Omit<ProofTarget, 'accessToken' | 'nonce'> | undefined {
  if (flags.htu === undefined) return undefined
  if (!/^[A-Za-z]+$/.test(flags.htm)) throw usageError('--htm must be an HTTP method such as GET or POST', { code: 'bad_flag' })
  let url: URL
  try {
    url = new URL(flags.htu)
  } catch {
    throw usageError('--htu must be an absolute URL: the resource the request goes to', { code: 'bad_flag' })
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw usageError('--htu must be an http(s) URL', { code: 'bad_flag' })
  return { htm: flags.htm.toUpperCase(), htu: url.href }
}

async function grantInputs(flags: TokenRequestFlagValues, env: NodeJS.ProcessEnv): Promise<GrantInputs> {
  const inputs: GrantInputs = {
    username: flags.username,
    subjectTokenType: flags['subject-token-type'],
    actorTokenType: flags['actor-token-type'],
    requestedTokenType: flags['requested-token-type'],
    orgName: flags['org-name'],
  }
  if (flags.grant === 'password') inputs.password = await password(flags, env)
  if (flags['subject-token']) inputs.subjectToken = await readSecretArg(flags['subject-token'], '--subject-token', env)
  if (flags['actor-token']) inputs.actorToken = await readSecretArg(flags['actor-token'], '--actor-token', env)
  if (flags['assertion-file']) inputs.assertion = await readSecretArg(`@${flags['assertion-file']}`, '--assertion-file', env)
  return inputs
}

async function password(flags: TokenRequestFlagValues, env: NodeJS.ProcessEnv): Promise<string> {
  if (!flags.username) throw usageError('--grant password needs --username', { code: 'missing_username' })
  if (flags['password-stdin']) return readStdin('--password-stdin')
  if (env.OAUTHCTL_PASSWORD) return env.OAUTHCTL_PASSWORD
  if (!canPrompt(env)) throw usageError('no password: pass --password-stdin or set OAUTHCTL_PASSWORD', { code: 'missing_password' })
  return promptSecret(`Password for ${flags.username}`)
}
