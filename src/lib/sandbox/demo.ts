import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { addProfile } from '../use-cases/add-profile.js'
import { HttpClient } from '../http/client.js'
import { FileStore } from '../storage/file.js'
import { nowSeconds } from '../tokens/cache.js'
import { getToken } from '../use-cases/get-token.js'
import { inspectToken, type JwtInspection } from '../tokens/inspect.js'
import { startSandbox } from './server.js'

export interface DemoResult {
  issuer: string
  profile: string
  steps: { step: string; detail: string; tokenRequests: number }[]
  claims?: JwtInspection['claims']
}

/**
 * `sandbox --demo`: start the sandbox, add a temporary profile for its confidential client, get a
 * token (one request), get it again (served from the cache: no request), decode it, clean up.
 */
export async function runDemo(log: (line: string) => void): Promise<DemoResult> {
  const sandbox = await startSandbox()
  const configDir = await mkdtemp(join(tmpdir(), 'oauthctl-demo-'))
  const http = new HttpClient()
  try {
    const client = sandbox.clients[0]!
    const profileName = 'sandbox-demo'
    log(`sandbox authorization server on ${sandbox.issuer}`)
    const store = new FileStore(configDir)
    const { profile } = await addProfile(
      { name: profileName, fields: { issuer: sandbox.issuer, clientId: client.client_id }, clientSecret: client.client_secret, makeDefault: true, refreshDiscovery: false },
      { configDir, http: async () => http, store: async () => store },
    )
    const steps: DemoResult['steps'] = []
    const record = (step: string, detail: string) => {
      steps.push({ step, detail, tokenRequests: sandbox.requestCount('/token') })
      sandbox.resetCounts()
      log(`${step}: ${detail}`)
    }
    record('profiles add', `profile ${profileName}: discovered ${profile.discovery?.metadata.token_endpoint}`)
    const ctx = { profileName, profile, store, http, env: {}, configDir, now: nowSeconds }
    const options = { grant: 'auto', scopes: ['api:read'], minTtl: 60, force: false, params: {} }
    const first = await getToken(options, ctx)
    record('token get', `from ${first.source}, expires ${new Date(first.token.expires_at * 1000).toISOString()}`)
    const second = await getToken(options, ctx)
    record('token get (again)', `from ${second.source}, same token: ${second.token.access_token === first.token.access_token}`)
    const inspection = inspectToken(second.token.access_token, nowSeconds())
    const detail =
      inspection.format === 'jwt'
        ? `JWT ${inspection.header.alg}, sub=${String(inspection.claims.sub)}, scope=${inspection.scopes.join(' ')}, ${inspection.expiresIn}s left`
        : 'opaque token'
    record('token inspect', detail)
    return { issuer: sandbox.issuer, profile: profileName, steps, claims: inspection.format === 'jwt' ? inspection.claims : undefined }
  } finally {
    await http.close()
    await sandbox.close()
    await rm(configDir, { recursive: true, force: true })
  }
}
