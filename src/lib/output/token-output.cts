import type { StoredToken } from '../tokens/token-set.js' with { 'resolution-mode': 'import' }

export const TOKEN_OUTPUTS = ['raw', 'json', 'header', 'env'] as const
export type TokenOutput = (typeof TOKEN_OUTPUTS)[number]

/** The `--output json` document: the token response as the server sent it, plus `expires_at` (epoch seconds). */
type RenderableToken = Pick<StoredToken, 'access_token' | 'token_type' | 'expires_at'> & { response?: StoredToken['response'] }

export const tokenJson = (token: RenderableToken) => ({ ...token.response, access_token: token.access_token, token_type: token.token_type, expires_at: token.expires_at })

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
      return [
        `OAUTHCTL_ACCESS_TOKEN=${token.access_token}`,
        `OAUTHCTL_TOKEN_TYPE=${token.token_type}`,
        `OAUTHCTL_EXPIRES_AT=${token.expires_at}`,
        '',
      ].join('\n')
  }
}
