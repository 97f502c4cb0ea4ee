import type { TokenJson } from './token-json.js' with { 'resolution-mode': 'import' }
import { type CachedToken, grantedScopes } from './cached-token.cjs'

export const TOKEN_OUTPUTS = ['raw', 'json', 'header', 'env'] as const
export type TokenOutput = (typeof TOKEN_OUTPUTS)[number]

type RenderableToken = Pick<CachedToken, 'access_token' | 'token_type' | 'expires_at'> &
  Partial<Pick<CachedToken, 'scope' | 'requested' | 'refresh_token' | 'id_token'>> & { response?: Record<string, unknown> }

/** An expiry as the JSON documents give it: ISO 8601, and epoch seconds for arithmetic. */
export const expiryJson = (epochSeconds: number) => ({ expiresAt: new Date(epochSeconds * 1000).toISOString(), expiresAtEpoch: epochSeconds })

/**
 * The `--output json` document (docs/schemas/token-get.json; built here without zod, which this
 * hot-path module must not load: the tests check it against the schema). `response` is the token
 * response as the server sent it.
 */
export function tokenJson(token: RenderableToken): TokenJson {
  const issued = token.response?.issued_token_type
  return {
    accessToken: token.access_token,
    tokenType: token.token_type,
    ...expiryJson(token.expires_at),
    scopes: grantedScopes({ scope: token.scope, requested: token.requested ?? { scopes: [] } }),
    refreshToken: token.refresh_token,
    idToken: token.id_token,
    issuedTokenType: typeof issued === 'string' ? issued : undefined,
    response: { ...token.response },
  }
}

/** Characters that mean nothing to a shell in an assignment's value (no `~`: `X=~user` expands). */
const SHELL_PLAIN = /^[A-Za-z0-9_.+/=:@%,-]+$/

/**
 * `NAME=value`, single-quoted unless the value is plain, for `eval` and for a GitHub-style env
 * file alike (a plain value, as every validated token is in practice, is the same text in both).
 * Tokens cannot carry a newline (validated on receipt), so the line cannot become two.
 */
export function envLine(name: string, value: string | number): string {
  const text = String(value)
  return `${name}=${SHELL_PLAIN.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`}\n`
}

/** Render a token the way `token get --output` asks; this command exists to print it. */
export function renderToken(token: RenderableToken, output: TokenOutput): string {
  switch (output) {
    case 'raw':
      return `${token.access_token}\n`
    case 'json':
      return `${JSON.stringify(tokenJson(token), null, 2)}\n`
    case 'header':
      return `Authorization: ${token.token_type} ${token.access_token}\n`
    case 'env':
      return envLine('OAUTHCTL_ACCESS_TOKEN', token.access_token) + envLine('OAUTHCTL_TOKEN_TYPE', token.token_type) + envLine('OAUTHCTL_EXPIRES_AT', token.expires_at)
  }
}

/** The ExecCredential versions kubectl speaks (client.authentication.k8s.io): v1 since Kubernetes 1.22, v1beta1 before and since. */
export const EXEC_CREDENTIAL_API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'] as const
export type ExecCredentialApiVersion = (typeof EXEC_CREDENTIAL_API_VERSIONS)[number]

/**
 * The apiVersion kubectl asks for in KUBERNETES_EXEC_INFO (an ExecCredential whose spec it fills);
 * v1 when it is unset (run by hand); undefined when it names one we do not speak or is not JSON.
 */
export function execCredentialApiVersion(env: NodeJS.ProcessEnv): ExecCredentialApiVersion | undefined {
  const info = env.KUBERNETES_EXEC_INFO
  if (!info) return EXEC_CREDENTIAL_API_VERSIONS[0]
  try {
    const asked = (JSON.parse(info) as { apiVersion?: unknown } | null)?.apiVersion
    return EXEC_CREDENTIAL_API_VERSIONS.find((v) => v === asked)
  } catch {
    return undefined
  }
}

/** A kubectl exec credential plugin's answer (ExecCredential status): the token and when it expires (RFC 3339). */
export function renderExecCredential(token: string, expiresAt: number, apiVersion: ExecCredentialApiVersion): string {
  const status = { token, expirationTimestamp: new Date(expiresAt * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') }
  return `${JSON.stringify({ apiVersion, kind: 'ExecCredential', status })}\n`
}
