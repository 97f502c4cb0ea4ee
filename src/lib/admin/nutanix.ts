import { z } from 'zod'
import type { Profile } from '../config/schema.js'
import { authRequired, usageError } from '../errors.js'
import type { HttpResponse } from '../http/client.js'
import type { ErrorBodyReader } from '../http/response.js'
import { registerSecret } from '../redact.js'
import { secretKeys } from '../storage/keys.js'
import { adminClient } from './client.js'
import { AdminApi, type ApiRequest, explicitOrigin, pathSegment, planned } from './http.js'
import { requireName } from './spec.js'
import type { AdminBackend, AdminClient, AdminContext, ClientSpec, IssuedClient, Mutation } from './types.js'

const LABEL = 'Nutanix Prism Central'

/** OauthClientInput limits (Nutanix v3 SDK), checked before sending. */
export const NUTANIX_LIMITS = { name: 64, description: 1000 }

/** Clients per `/oauth/client/list` request. */
export const NUTANIX_PAGE = 500

/**
 * `https://HOST:9440/api/nutanix/v3` from the profile's host: `HOST` or `HOST:PORT` (Prism
 * Central's port 9440 unless given), or an explicit origin such as a local test server.
 */
export function nutanixBase(profile: Pick<Profile, 'host'>): string {
  if (!profile.host) throw usageError('the profile has no Nutanix Prism Central host', { code: 'no_host', hint: 'oauthctl profiles add NAME --provider nutanix --host prism.example.com' })
  const origin = explicitOrigin(profile.host, 'the Nutanix host')
  if (origin) return `${origin.origin}/api/nutanix/v3`
  const url = URL.canParse(`https://${profile.host}`) ? new URL(`https://${profile.host}`) : undefined
  if (!url || url.pathname !== '/' || url.search || url.username) {
    throw usageError(`the Nutanix host ${JSON.stringify(profile.host)} is not a host name or HOST:PORT`, { code: 'bad_host' })
  }
  if (!url.port) url.port = '9440'
  return `${url.origin}/api/nutanix/v3`
}

/** The v3 error envelope `{api_version, code, kind, message_list[{message, reason}], state}`, also nested under `status`. */
export const nutanixErrorBody: ErrorBodyReader = (body) => {
  const outer = body as { status?: unknown } | null
  const b = (outer && typeof outer.status === 'object' ? outer.status : outer) as { message_list?: unknown; state?: unknown } | null
  if (!b || !Array.isArray(b.message_list)) return undefined
  const messages = b.message_list as Array<{ message?: unknown; reason?: unknown }>
  const reason = messages.map((m) => m?.reason).find((r): r is string => typeof r === 'string')
  const text = messages.map((m) => m?.message).filter((m): m is string => typeof m === 'string')
  return { error: reason ?? (typeof b.state === 'string' ? b.state : 'ERROR'), description: text.length > 0 ? text.join('; ') : undefined }
}

export const NutanixClientSchema = z
  .object({
    client_id: z.string().min(1),
    client_name: z.string(),
    client_secret: z.string().optional(),
    client_description: z.string().optional(),
    redirect_uris: z.array(z.string()).optional(),
    default_scopes: z.array(z.string()).optional(),
  })
  .loose()
type NutanixClient = z.infer<typeof NutanixClientSchema>

/** The SDK types the list metadata as the request's (no total_matches); the v3 pattern adds total_matches. Both are accepted. */
const ListSchema = z
  .object({ entities: z.array(NutanixClientSchema), metadata: z.object({ total_matches: z.int().nonnegative().optional() }).loose() })
  .loose()

export function toAdminClient(c: NutanixClient): AdminClient {
  return adminClient(
    {
      id: c.client_id,
      name: c.client_name,
      description: c.client_description || undefined,
      grantTypes: [],
      redirectUris: c.redirect_uris ?? [],
      scopes: c.default_scopes ?? [],
    },
    c,
  )
}

/** `OauthClientInput`: every field is required, so a new or changed client is sent whole. */
export function nutanixInput(spec: ClientSpec, current?: NutanixClient): Record<string, unknown> {
  const input = {
    client_name: spec.name ?? current?.client_name ?? requireName(spec),
    redirect_uris: spec.redirectUris ?? current?.redirect_uris ?? [],
    client_description: spec.description ?? current?.client_description ?? '',
    default_scopes: spec.scopes ?? current?.default_scopes ?? [],
  }
  if (input.client_name.length > NUTANIX_LIMITS.name) throw usageError(`the client name is ${input.client_name.length} characters: Nutanix allows ${NUTANIX_LIMITS.name}`, { code: 'too_long' })
  if (input.client_description.length > NUTANIX_LIMITS.description) {
    throw usageError(`the description is ${input.client_description.length} characters: Nutanix allows ${NUTANIX_LIMITS.description}`, { code: 'too_long' })
  }
  return input
}

/**
 * Nutanix Prism Central v3 `/oauth/client` with HTTP Basic (the profile's user name, the password
 * from OAUTHCTL_ADMIN_PASSWORD, secret storage or a prompt).
 */
export function nutanixBackend(ctx: AdminContext): AdminBackend {
  const base = nutanixBase(ctx.profile)
  let basic: Promise<string> | undefined
  const api = new AdminApi(base, {
    http: ctx.http,
    label: LABEL,
    readers: [nutanixErrorBody],
    authorization: () => (basic ??= basicCredentials(ctx)),
    // Prism answers bad credentials with a 401 that is often not JSON: say what to check.
    hint: (res: HttpResponse) =>
      res.status === 401 ? `Prism Central refused the credentials: check the profile's username and the admin password of profile ${ctx.profileName}` : undefined,
  })
  const clientUrl = (id: string) => api.url(`/oauth/client/${pathSegment(id)}`)

  return {
    label: LABEL,
    lacks: { rotateSecret: 'the v3 API has no secret rotation; delete the client and create a new one' },
    fields: new Set(['name', 'description', 'redirectUris', 'scopes']),
    clientProfile: { tokenEndpoint: `${base}/oauth/token`, authMethod: 'client_secret_post' },

    async list({ limit }) {
      const clients: AdminClient[] = []
      for (let offset = 0; ; ) {
        const length = limit === undefined ? NUTANIX_PAGE : Math.min(NUTANIX_PAGE, limit - clients.length)
        // A list is a read sent as POST: safe to repeat.
        const page = await api.json({ method: 'POST', url: api.url('/oauth/client/list'), body: { kind: 'oauth_client', offset, length }, retry: 'safe' }, ListSchema)
        clients.push(...page.entities.map(toAdminClient))
        offset += page.entities.length
        const total = page.metadata.total_matches
        // Without total_matches, only an empty page says the list is done.
        if (page.entities.length === 0 || (total !== undefined && offset >= total)) return { clients, more: false }
        if (limit !== undefined && clients.length >= limit) return { clients, more: true }
      }
    },

    async get(id) {
      return toAdminClient(await api.json({ method: 'GET', url: clientUrl(id) }, NutanixClientSchema))
    },

    async create(spec): Promise<Mutation<IssuedClient>> {
      const request: ApiRequest = { method: 'POST', url: api.url('/oauth/client'), body: nutanixInput(spec) }
      return {
        requests: [planned(request)],
        apply: async () => {
          const created = await api.json(request, NutanixClientSchema)
          registerSecret(created.client_secret)
          return { client: toAdminClient(created), secret: created.client_secret, authMethod: 'client_secret_post' }
        },
      }
    },

    async update(id, spec) {
      const current = await api.json({ method: 'GET', url: clientUrl(id) }, NutanixClientSchema)
      registerSecret(current.client_secret)
      const request: ApiRequest = { method: 'PUT', url: clientUrl(id), body: nutanixInput(spec, current) }
      return { requests: [planned(request)], apply: async () => toAdminClient(await api.json(request, NutanixClientSchema)) }
    },

    async delete(id) {
      const request: ApiRequest = { method: 'DELETE', url: clientUrl(id) }
      return {
        requests: [planned(request)],
        apply: async () => {
          const res = await api.send(request)
          if (res.status === 404) return { id, deleted: false }
          api.parse(res, request, NutanixClientSchema)
          return { id, deleted: true }
        },
      }
    },
  }
}

async function basicCredentials(ctx: AdminContext): Promise<string> {
  const username = ctx.profile.username
  if (!username) throw usageError(`profile ${ctx.profileName} has no Nutanix user name`, { code: 'no_username', hint: 'set "username" in the profile (the Prism Central admin user)' })
  const password =
    ctx.env.OAUTHCTL_ADMIN_PASSWORD ||
    (await (await ctx.store()).get(secretKeys.adminPassword(ctx.profileName))) ||
    (await ctx.promptSecret?.(`Prism Central password for ${username}`))
  if (!password) {
    throw authRequired(`no Prism Central password for profile ${ctx.profileName}`, {
      code: 'no_admin_password',
      hint: 'set OAUTHCTL_ADMIN_PASSWORD, or store it in secret storage for the profile',
    })
  }
  registerSecret(password)
  const encoded = Buffer.from(`${username}:${password}`).toString('base64')
  registerSecret(encoded)
  return `Basic ${encoded}`
}
