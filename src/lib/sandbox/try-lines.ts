/**
 * What `oauthctl sandbox` suggests trying: each line runs as printed against the sandbox it came
 * from (test/e2e/sandbox-try.test.ts runs them all, the login in a browser). Kept free of the
 * server's imports: the command's help and summary need only this.
 */

/** The sandbox's port unless --port says otherwise: fixed, so profiles made against it survive a restart. */
export const DEFAULT_SANDBOX_PORT = 8976

/** The public client logs a user in; the profile carries the scopes the sandbox grants, so a bare `login` asks for them. */
export const SANDBOX_LOGIN_SCOPES = ['openid', 'offline_access', 'api:read'] as const

export function tryLines(sandbox: { issuer: string; resource: string }, clients: readonly { client_id: string; client_secret?: string }[]): string[] {
  const lines: string[] = []
  if (clients.some((c) => c.client_id === 'demo-public')) {
    lines.push(
      `oauthctl profiles add sandbox --issuer ${sandbox.issuer} --client-id demo-public --auth-method none ${SANDBOX_LOGIN_SCOPES.map((s) => `--scope ${s}`).join(' ')}`,
      'oauthctl login -p sandbox',
      'oauthctl token inspect -p sandbox',
    )
  }
  const confidential = clients.find((c) => c.client_id === 'demo-confidential')
  if (confidential?.client_secret) {
    lines.push(
      `printf %s ${confidential.client_secret} | oauthctl profiles add sandbox-ci --issuer ${sandbox.issuer} --client-id demo-confidential --client-secret-stdin`,
      // The access token's audience is the sandbox's API resource, named in full.
      `oauthctl token get -p sandbox-ci | oauthctl token inspect -p sandbox-ci - --verify --audience ${sandbox.resource}`,
      'oauthctl token inspect -p sandbox-ci --introspect',
      'oauthctl token revoke -p sandbox-ci',
    )
  }
  return lines
}
