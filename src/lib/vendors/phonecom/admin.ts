import { z } from 'zod'
import { usageError } from '../../errors.js'
import type { HttpResponse } from '../../http/client.js'
import { effectiveEndpoints } from '../../oauth/endpoints.js'
import { vendorEndpoint } from '../http.js'
import { masonErrorBody, phonecomPreset, phonecomBase, TokenDetailsSchema } from './preset.js'
import { adminClient } from '../../admin/client.js'
import { AdminApi, type ApiRequest, planned, profileBearer } from '../../admin/http.js'
import { type AdminBackend, type AdminClient, type AdminContext, documentSchema, type NativeFormat } from '../../admin/types.js'

const LABEL = 'phone.com'

/** Items per list request (phone.com's own CLI asks for 25; the API echoes limit and total). */
export const PHONECOM_PAGE = 100

const PhonecomClientSchema = z.object({ id: z.int(), client_name: z.string() }).loose()
const RedirectItemSchema = z
  .object({
    id: z.int(),
    // RedirectUriFull's own fields are not in the spec: accept the URI bare or as {redirect_uri}.
    redirect_uri: z.union([z.string(), z.object({ redirect_uri: z.string() }).loose()]),
  })
  .loose()
const listing = <T extends z.ZodType>(item: T) => z.object({ total: z.int().nonnegative(), items: z.array(item) }).loose()
const DeletedSchema = z.object({ success: z.literal(true) }).loose()

const uriOf = (item: Pick<z.infer<typeof RedirectItemSchema>, 'redirect_uri'>) => (typeof item.redirect_uri === 'string' ? item.redirect_uri : item.redirect_uri.redirect_uri)

const DocumentSchema = documentSchema(
  {
    // OauthClientFull: API v4 can neither create nor rename a client, so these are read-only.
    id: z.union([z.int(), z.string()]),
    client_name: z.string(),
    // The items of the client's redirect-uris listing (as `get --native` prints them), a new one as
    // CreateRedirectUriParams ({redirect_uri}), or a bare URI.
    redirect_uris: z.array(z.union([z.string(), RedirectItemSchema.partial({ id: true })])),
  },
  'a phone.com OAuth client',
)

/**
 * phone.com's client document: `OauthClientFull` with its redirect URIs (a separate resource in
 * API v4) under `redirect_uris`. Only those can change: update makes them exactly the ones given.
 */
export const phonecomDocument: NativeFormat = {
  label: 'phone.com OAuth client',
  names: new Set(Object.keys(DocumentSchema.shape)),
  schema: DocumentSchema,
  idField: 'id',
  secretFields: [],
  fields: { redirectUris: 'redirect_uris' },
  read: (doc) => {
    const uris = (doc as z.infer<typeof DocumentSchema>).redirect_uris
    return { spec: { redirectUris: uris?.map((item) => (typeof item === 'string' ? item : uriOf(item))) } }
  },
}

function toAdminClient(c: z.infer<typeof PhonecomClientSchema>, redirectUris: string[] = []): AdminClient {
  return adminClient({ id: String(c.id), name: c.client_name, grantTypes: [], redirectUris, scopes: [], raw: c })
}

/** phone.com client ids are integers; anything else cannot name one. */
function clientId(id: string): string {
  if (!/^\d+$/.test(id)) throw usageError(`phone.com client ids are numbers (got ${JSON.stringify(id)})`, { code: 'bad_id' })
  return id
}

/**
 * phone.com API v4 `/accounts/{account}/oauth/clients`: list, read, delete, and redirect URIs
 * (the one part of a client the API can change). The account is the one the profile's token
 * belongs to (`GET /oauth/access-token`, `scope_details[].voip_id`).
 */
export function phonecomBackend(ctx: AdminContext): AdminBackend {
  const api = new AdminApi(phonecomBase(ctx.profile), {
    http: ctx.http,
    label: LABEL,
    readers: [masonErrorBody],
    authorization: profileBearer(ctx),
    hint: (res: HttpResponse) => (res.status === 401 ? `the access token of profile ${ctx.profileName} was refused: get a new one with oauthctl token get --force` : undefined),
  })

  const tokenDetails = vendorEndpoint({ endpoints: effectiveEndpoints(ctx.profile, phonecomPreset.endpoints?.(ctx.profile)) }, 'introspection', 'introspection-endpoint')
  let account: Promise<number> | undefined
  const accountId = () =>
    (account ??= api.json({ method: 'GET', url: tokenDetails }, TokenDetailsSchema).then((info) => {
      const id = info.scope_details?.find((d) => d.voip_id !== undefined)?.voip_id
      if (id === undefined) {
        throw usageError(`the token of profile ${ctx.profileName} names no phone.com account (scope_details.voip_id)`, {
          code: 'no_account',
          hint: 'client administration needs an account-owner token: give the profile --scope account-owner',
        })
      }
      return id
    }))
  const clientsUrl = async (rest = '', query: Record<string, number> = {}) => api.url(`/accounts/${await accountId()}/oauth/clients${rest}`, query)

  /** Every item of a limit/offset listing, or the first `limit`. */
  const collect = async <T extends z.ZodType>(rest: string, item: T, limit?: number, onPage?: (items: number) => void) => {
    const items: z.infer<T>[] = []
    for (;;) {
      const size = limit === undefined ? PHONECOM_PAGE : Math.min(PHONECOM_PAGE, limit - items.length)
      const page = await api.json({ method: 'GET', url: await clientsUrl(rest, { limit: size, offset: items.length }) }, listing(item))
      items.push(...page.items)
      onPage?.(page.items.length)
      if (page.items.length === 0 || items.length >= page.total) return { items, more: false }
      if (limit !== undefined && items.length >= limit) return { items, more: true }
    }
  }

  const redirects = (id: string) => collect(`/${clientId(id)}/redirect-uris`, RedirectItemSchema)

  const get = async (id: string) => {
    const client = await api.json({ method: 'GET', url: await clientsUrl(`/${clientId(id)}`) }, PhonecomClientSchema)
    const { items } = await redirects(id)
    // The raw (`--native`) document carries the redirect-uris listing's items as returned: the part of a client update changes.
    return toAdminClient({ ...client, redirect_uris: items }, items.map(uriOf))
  }

  return {
    label: LABEL,
    lacks: {
      create: 'API v4 has no operation that creates OAuth clients; create them in the phone.com account',
      rotateSecret: 'API v4 has no secret rotation',
    },
    fields: new Set(['redirectUris']),
    native: phonecomDocument,

    async list({ limit, onPage }) {
      const { items, more } = await collect('', PhonecomClientSchema, limit, onPage)
      // Redirect URIs are a separate listing per client: `clients get ID` shows them.
      return { clients: items.map((c) => toAdminClient(c)), more }
    },

    get,

    /** The redirect URIs become exactly the given set: new ones are added first, so the client always keeps one. */
    async update(id, spec) {
      const wanted = spec.redirectUris ?? []
      const current = (await redirects(id)).items
      const have = new Set(current.map(uriOf))
      const base = await clientsUrl(`/${clientId(id)}/redirect-uris`)
      const requests: ApiRequest[] = [
        ...wanted.filter((uri) => !have.has(uri)).map((uri): ApiRequest => ({ method: 'POST', url: base, body: { redirect_uri: uri } })),
        ...current.filter((item) => !wanted.includes(uriOf(item))).map((item): ApiRequest => ({ method: 'DELETE', url: `${base}/${item.id}` })),
      ]
      return {
        requests: requests.map(planned),
        apply: async () => {
          for (const request of requests) {
            const res = await api.send(request)
            api.parse(res, request, request.method === 'POST' ? RedirectItemSchema : DeletedSchema)
          }
          return get(id)
        },
      }
    },

    async delete(id) {
      const request: ApiRequest = { method: 'DELETE', url: await clientsUrl(`/${clientId(id)}`) }
      return {
        requests: [planned(request)],
        apply: async () => ({ id, deleted: await api.remove(request, DeletedSchema) }),
      }
    },
  }
}
