// oidc-provider ships no types; the sandbox uses a small part of its API.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http'
  export interface KoaContext {
    path: string
    method: string
    status: number
    oidc?: { route?: string }
  }
  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>)
    callback(): (req: IncomingMessage, res: ServerResponse) => void
    use(middleware: (ctx: KoaContext, next: () => Promise<void>) => Promise<void>): void
    on(event: string, listener: (...args: unknown[]) => void): void
    proxy: boolean
    Client: { find(id: string): Promise<unknown> }
    Grant: new (init: { accountId: string; clientId: string }) => {
      addOIDCScope(scope: string): void
      addResourceScope(resource: string, scope: string): void
      save(): Promise<string>
    }
    RefreshToken: new (init: Record<string, unknown>) => { save(): Promise<string> }
  }
}
