import { DEMO_USER, type Sandbox } from '../../src/lib/sandbox/server.js'

export interface RefreshTokenOptions {
  clientId: string
  accountId?: string
  scope?: string
  resource?: string
  /** Bind it to this DPoP key thumbprint, as a public client's refresh token is after a DPoP login (RFC 9449 §5). */
  jkt?: string
}

/**
 * A refresh token minted in the sandbox's oidc-provider as if the demo user had logged in with
 * this client: lets tests skip the browser. The token is opaque and rotates on use.
 */
export async function issueRefreshToken(sandbox: Sandbox, options: RefreshTokenOptions): Promise<string> {
  const { provider } = sandbox
  const { clientId, accountId = DEMO_USER.id, scope = 'openid offline_access api:read', jkt } = options
  const client = await provider.Client.find(clientId)
  if (!client) throw new Error(`no sandbox client ${clientId}`)
  const grant = new provider.Grant({ accountId, clientId })
  grant.addOIDCScope(scope.split(' ').filter((s) => !s.includes(':')).join(' '))
  const apiScope = scope.split(' ').filter((s) => s.includes(':')).join(' ')
  // OpenID scopes alone: no resource, so its access tokens serve the userinfo endpoint (which refuses any with an audience).
  const indicator = options.resource ?? (apiScope ? sandbox.resource : undefined)
  if (indicator) grant.addResourceScope(indicator, apiScope)
  const grantId = await grant.save()
  const token = new provider.RefreshToken({ client, accountId, grantId, scope, gty: 'authorization_code', resource: indicator, expiresIn: 86_400, expiresWithSession: false, ...(jkt && { jkt }) })
  return token.save()
}
