import type { StoredToken } from '../tokens/token-set.js' with { 'resolution-mode': 'import' }

export const TOKEN_OUTPUTS = ['raw', 'json', 'header', 'env'] as const
export type TokenOutput = (typeof TOKEN_OUTPUTS)[number]

/** The `--output json` document: the token response as the server sent it, plus `expires_at` (epoch seconds). */
type RenderableToken = Pick<StoredToken, 'access_token' | 'token_type' | 'expires_at'> & { response?: StoredToken['response'] }

export const tokenJson = (token: RenderableToken) => ({ ...token.response, access_token: token.access_token, token_type: token.token_type, expires_at: token.expires_at })

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
