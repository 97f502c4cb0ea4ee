import { z } from 'zod'
import { usageError } from '../../errors.js'
import type { HttpResponse } from '../../http/client.js'
import { registerSecret } from '../../redact.js'
import { type StoredToken, TokenResponseSchema } from '../../tokens/token-set.js'
import { nutanixBase, nutanixErrorBody, prismAuthorization, prismRefusedHint } from './preset.js'
import { adminClient } from '../../admin/client.js'
import { AdminApi, type ApiRequest, pathSegment, planned } from '../../admin/http.js'
import { fetchConcurrent } from '../../admin/paging.js'
import { requireName } from '../../admin/spec.js'
import { type AdminBackend, type AdminClient, type AdminContext, type ClientSpec, documentSchema, type IssuedClient, type Mutation, type NativeFormat } from '../../admin/types.js'

const LABEL = 'Nutanix Prism Central'

/** OauthClientInput limits (Nutanix v3 SDK), checked before sending. */
export const NUTANIX_LIMITS = { name: 64, description: 1000 }

/** Clients per `/oauth/client/list` request (the server may serve fewer). */
export const NUTANIX_PAGE = 500
/** Page requests in flight at once once the first page has told how many there are. */
export const NUTANIX_LIST_CONCURRENCY = 4

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

/**
 * The SDK types the list metadata as the request's (no total_matches); the v3 pattern adds
 * total_matches. Both are accepted. No transforms: a listing keeps each page as sent, checked.
 */
const ListMetadataSchema = z.object({ total_matches: z.int().nonnegative().optional() })
const ListSchema = z.object({ entities: z.array(NutanixClientSchema), metadata: ListMetadataSchema })
/**
 * ListSchema compiled by zod (`z.compile`: one generated check, not the runtime's calls per field
 * and item). A listing checks its 10,000 clients before V8 has optimised the runtime parser;
 * compiled, that cold check costs a third. Compiled at the first listing (a few ms), not at load.
 */
let compiledListSchema: typeof ListSchema | undefined
const listSchema = () => (compiledListSchema ??= z.compile(ListSchema))
/** What the first page must say before the rest are asked for: how many there are, and how many a page holds. */
const PageHeadSchema = z.object({ entities: z.array(z.unknown()), metadata: ListMetadataSchema })
type FetchedPage = { req: ApiRequest; res: HttpResponse }

export function toAdminClient(c: NutanixClient): AdminClient {
  return adminClient({
    id: c.client_id,
    name: c.client_name,
    description: c.client_description || undefined,
    grantTypes: [],
    redirectUris: c.redirect_uris ?? [],
    scopes: c.default_scopes ?? [],
    raw: c,
  })
}

const ClientDocumentSchema = documentSchema(
  {
    client_name: z.string(),
    client_description: z.string(),
    redirect_uris: z.array(z.string()),
    default_scopes: z.array(z.string()),
    // Set by the server (OauthClientResponse): in `get --native` output, never sent back.
    client_id: z.string(),
    client_secret: z.string(),
  },
  'a Nutanix v3 OAuth client',
)

/**
 * The v3 client document: the `OauthClientInput`/`OauthClientResponse` body, or the same fields as
 * the `spec` of a v3 intent (`{"spec": {…}, "metadata": {…}, "api_version": …}`), whose envelope
 * carries nothing the OAuth client API takes.
 */
const ENVELOPE = ['spec', 'metadata', 'api_version']
const DocumentSchema = z.preprocess((doc) => {
  const envelope = doc && typeof doc === 'object' && 'spec' in doc && Object.keys(doc).every((name) => ENVELOPE.includes(name))
  return envelope ? (doc as { spec: unknown }).spec : doc
}, ClientDocumentSchema)

export const nutanixDocument: NativeFormat = {
  label: 'Nutanix v3 OAuth client',
  names: new Set([...Object.keys(ClientDocumentSchema.shape), ...ENVELOPE]),
  schema: DocumentSchema,
  idField: 'client_id',
  secretFields: ['client_secret'],
  fields: { name: 'client_name', description: 'client_description', redirectUris: 'redirect_uris', scopes: 'default_scopes' },
  read: (doc) => {
    const d = doc as z.infer<typeof ClientDocumentSchema>
    return { spec: { name: d.client_name, description: d.client_description, redirectUris: d.redirect_uris, scopes: d.default_scopes } }
  },
}

/** `OauthClientInput`: every field is required, so a new or changed client is sent whole. */
export function nutanixInput(spec: ClientSpec, current?: NutanixClient): Record<string, unknown> {
  const input = {
    client_name: spec.name ?? current?.client_name ?? requireName(spec),
    redirect_uris: spec.redirectUris ?? current?.redirect_uris ?? [],
    client_description: spec.description ?? current?.client_description ?? '',
    default_scopes: spec.scopes ?? current?.default_scopes ?? [],
  }
  checkLimits(input.client_name, input.client_description)
  return input
}

function checkLimits(name: string, description: string): void {
  if (name.length > NUTANIX_LIMITS.name) throw usageError(`the client name is ${name.length} characters: Nutanix allows ${NUTANIX_LIMITS.name}`, { code: 'too_long' })
  if (description.length > NUTANIX_LIMITS.description) {
    throw usageError(`the description is ${description.length} characters: Nutanix allows ${NUTANIX_LIMITS.description}`, { code: 'too_long' })
  }
}

/** Prism Central's v3 API with the profile's Prism user (HTTP Basic), asked for once per command run. */
function nutanixApi(ctx: AdminContext): AdminApi {
  let basic: Promise<string> | undefined
  return new AdminApi(nutanixBase(ctx.profile), {
    http: ctx.http,
    label: LABEL,
    readers: [nutanixErrorBody],
    authorization: () => (basic ??= prismAuthorization(ctx)),
    hint: (res: HttpResponse) => (res.status === 401 ? prismRefusedHint(ctx.profileName) : undefined),
  })
}

/**
 * Nutanix Prism Central v3 `/oauth/client` with HTTP Basic (the profile's user name, the password
 * from OAUTHCTL_ADMIN_PASSWORD, secret storage or a prompt).
 */
export function nutanixBackend(ctx: AdminContext): AdminBackend {
  const api = nutanixApi(ctx)
  const clientUrl = (id: string) => api.url(`/oauth/client/${pathSegment(id)}`)

  return {
    label: LABEL,
    lacks: { rotateSecret: 'the v3 API has no secret rotation; delete the client and create a new one' },
    fields: new Set(['name', 'description', 'redirectUris', 'scopes']),
    native: nutanixDocument,
    clientProfile: { authMethod: 'client_secret_post' },

    async list({ limit, onPage }) {
      const end = (total: number) => (limit === undefined ? total : Math.min(total, limit))
      const url = api.url('/oauth/client/list')
      const fetchPage = async (offset: number, length: number): Promise<FetchedPage> => {
        // A list is a read sent as POST: safe to repeat.
        const req: ApiRequest = { method: 'POST', url, body: { kind: 'oauth_client', offset, length }, retry: 'safe' }
        return { req, res: await api.send(req) }
      }
      const read = ({ req, res }: FetchedPage) => {
        const { entities } = api.check(res, req, listSchema())
        onPage?.(entities.length)
        return entities.map(toAdminClient)
      }
      const first = await fetchPage(0, end(NUTANIX_PAGE))
      // total_matches and the page size the server serves give every offset. The rest go side by side,
      // sent before the first page's clients are checked and mapped: its head is all they need (its
      // JSON is read once more when its turn comes, one page in a hundred).
      const { metadata, entities } = api.check(first.res, first.req, PageHeadSchema)
      const total = metadata.total_matches
      const size = entities.length
      const offsets = [0]
      if (total !== undefined) for (let offset = size; size > 0 && offset < end(total); offset += size) offsets.push(offset)
      // Each page is validated and mapped as it arrives, while the next requests are out.
      const fetchAt = (offset: number) => (offset === 0 ? Promise.resolve(first) : fetchPage(offset, Math.min(size, end(total ?? 0) - offset)))
      const clients = (await fetchConcurrent(offsets, NUTANIX_LIST_CONCURRENCY, fetchAt, read)).flat()
      // Without total_matches (or when the list changed meanwhile), pages follow one another until one is empty.
      for (let last = size; ; ) {
        const known = total !== undefined && clients.length >= total
        if (last === 0 || known) return { clients, more: false }
        if (limit !== undefined && clients.length >= limit) return { clients, more: true }
        const next = read(await fetchPage(clients.length, end(NUTANIX_PAGE + clients.length) - clients.length))
        clients.push(...next)
        last = next.length
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
        apply: async () => ({ id, deleted: await api.remove(request, NutanixClientSchema) }),
      }
    },
  }
}

/**
 * `OauthGenerateTokenResponse`: the new client and its first token. That token's `scopes` is a
 * list, where the token endpoint's `scope` is the usual string: it is read as the usual response.
 */
const GeneratedSchema = z
  .object({
    client_id: z.string().min(1),
    client_secret: z.string().min(1),
    oauth_token: z.preprocess(
      (t) => (t && typeof t === 'object' && Array.isArray((t as { scopes?: unknown }).scopes) ? { ...t, scope: (t as { scopes: unknown[] }).scopes.join(' ') } : t),
      TokenResponseSchema,
    ),
  })
  .loose()

export interface GenerateTokenOptions {
  scopes: string[]
  name: string
  description: string
  /** Seconds; Prism's default when absent. */
  expiresIn?: number
}

export interface GeneratedToken {
  clientId: string
  clientSecret: string
  token: StoredToken
}

/**
 * `POST /oauth/generate_token` (Basic, as the Prism user): a new OAuth client and a token for it
 * in one step. The token is stored where `token get --scope …` finds it for this profile.
 */
export async function generateToken(ctx: AdminContext, options: GenerateTokenOptions): Promise<GeneratedToken> {
  if (ctx.profile.provider !== 'nutanix') {
    throw usageError(`token generate is Nutanix Prism Central's generate_token: profile ${ctx.profileName} is a ${ctx.profile.provider} profile`, { code: 'not_supported' })
  }
  if (options.scopes.length === 0) throw usageError('token generate needs at least one --scope', { code: 'missing_scope' })
  checkLimits(options.name, options.description)
  const api = nutanixApi(ctx)
  const body = { scopes: options.scopes, client_name: options.name, client_description: options.description, expires_in: options.expiresIn }
  const generated = await api.json({ method: 'POST', url: api.url('/oauth/generate_token'), body }, GeneratedSchema)
  registerSecret(generated.client_secret)
  const [{ requestedShape }, { storeLogin }] = await Promise.all([import('../../tokens/request.js'), import('../../login/store-login.js')])
  const requested = requestedShape(ctx.profile, { scopes: options.scopes })
  const token = await storeLogin({ response: generated.oauth_token, grant: 'generate_token' }, requested, { ...ctx, store: await ctx.store() })
  return { clientId: generated.client_id, clientSecret: generated.client_secret, token }
}
