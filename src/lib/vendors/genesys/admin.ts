import { z } from 'zod'
import { badResponse, networkError, usageError } from '../../errors.js'
import type { HttpResponse } from '../../http/client.js'
import { oauthErrorBody } from '../../http/response.js'
import { redactJson, registerSecret } from '../../redact.js'
import { genesysErrorBody, genesysHosts } from './preset.js'
import { adminClient } from '../../admin/client.js'
import { AdminApi, type ApiRequest, pathSegment, planned, profileBearer } from '../../admin/http.js'
import {
  type AdminBackend,
  type AdminClient,
  type AdminContext,
  type Authorization,
  type ClientSpec,
  documentSchema,
  type IssuedClient,
  type Mutation,
  type NativeFormat,
  type ScopeOptions,
  ScopeSchema,
  type UsageReport,
  UsageRowSchema,
} from '../../admin/types.js'

const LABEL = 'Genesys Cloud'

/** The `authorizedGrantType` enum and the RFC name each stands for. */
const GRANT_TYPES = {
  CODE: 'authorization_code',
  TOKEN: 'implicit',
  'SAML2-BEARER': 'urn:ietf:params:oauth:grant-type:saml2-bearer',
  PASSWORD: 'password',
  'CLIENT-CREDENTIALS': 'client_credentials',
} as const
type GenesysGrant = keyof typeof GRANT_TYPES

/** Spellings folded to one key: case, `-`/`_` and the RFC URN prefix do not matter (older SDKs wrote SAML2BEARER, CLIENT_CREDENTIALS). */
const ALIASES: Record<string, GenesysGrant> = {
  authorizationcode: 'CODE',
  code: 'CODE',
  implicit: 'TOKEN',
  token: 'TOKEN',
  saml2bearer: 'SAML2-BEARER',
  password: 'PASSWORD',
  clientcredentials: 'CLIENT-CREDENTIALS',
}
const grantKey = (value: string) => value.toLowerCase().replace(/^urn:ietf:params:oauth:grant-type:/, '').replace(/[-_]/g, '')

/** A grant type as the user wrote it (RFC name, short alias or Genesys enum) → the Genesys enum. */
export function genesysGrantType(value: string): GenesysGrant {
  const grant = ALIASES[grantKey(value)]
  if (!grant) throw usageError(`Genesys Cloud has no grant type ${JSON.stringify(value)}`, { code: 'bad_grant_type', hint: `use one of ${Object.values(GRANT_TYPES).join(', ')}` })
  return grant
}

/** A Genesys enum value (any spelling) → its RFC name; an unknown value is shown as the server sent it. */
export const commonGrantType = (value: string): string => {
  const grant = ALIASES[grantKey(value)]
  return grant ? GRANT_TYPES[grant] : value
}

const isClientCredentials = (grant: string | undefined) => grant !== undefined && ALIASES[grantKey(grant)] === 'CLIENT-CREDENTIALS'

const RoleDivisionWire = z.object({ roleId: z.string(), divisionId: z.string() }).loose()

export const GenesysClientSchema = z
  .object({
    id: z.string().min(1),
    name: z.string(),
    description: z.string().optional(),
    accessTokenValiditySeconds: z.number().optional(),
    registeredRedirectUri: z.array(z.string()).optional(),
    // Older listings (OAuthClientListing) carry no grant type.
    authorizedGrantType: z.string().optional(),
    scope: z.array(z.string()).optional(),
    roleDivisions: z.array(RoleDivisionWire).optional(),
    state: z.string().optional(),
    dateCreated: z.string().optional(),
    secret: z.string().optional(),
  })
  .loose()
type GenesysClient = z.infer<typeof GenesysClientSchema>

const ListingSchema = z
  .object({
    entities: z.array(GenesysClientSchema),
    pageSize: z.number().optional(),
    pageNumber: z.number().optional(),
    pageCount: z.number().optional(),
    nextUri: z.string().nullish(),
  })
  .loose()

const AuthorizationSchema = z
  .object({
    client: GenesysClientSchema,
    scope: z.array(z.string()).optional(),
    resourceOwner: z.object({ id: z.string().optional(), name: z.string().optional() }).loose().optional(),
    dateCreated: z.string().optional(),
    state: z.string().optional(),
  })
  .loose()

const ExecutionSchema = z.object({ executionId: z.string().min(1), resultsUri: z.string().optional() }).loose()
const UsageResultSchema = z
  .object({ queryStatus: z.enum(['Running', 'Complete', 'Failed']), results: z.array(UsageRowSchema).optional() })
  .loose()

export function toAdminClient(c: GenesysClient): AdminClient {
  return adminClient({
    id: c.id,
    name: c.name,
    description: c.description || undefined,
    grantTypes: c.authorizedGrantType ? [commonGrantType(c.authorizedGrantType)] : [],
    redirectUris: c.registeredRedirectUri ?? [],
    scopes: c.scope ?? [],
    tokenTtl: c.accessTokenValiditySeconds,
    state: c.state,
    created: c.dateCreated,
    raw: c,
  })
}

/**
 * The `OAuthClientRequest` fields of an existing client, for a PUT (which replaces the client).
 * Empty lists and texts are left out, as Genesys's own examples do: a client-credentials client
 * sends no `scope`, a code client no `roleDivisions`.
 */
function requestFrom(c: GenesysClient): Record<string, unknown> {
  const { name, description, accessTokenValiditySeconds, registeredRedirectUri, authorizedGrantType, scope, roleDivisions, state } = c
  const fields = { name, description, accessTokenValiditySeconds, registeredRedirectUri, authorizedGrantType, scope, roleDivisions, state }
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0)))
}

/**
 * Common spec → `OAuthClientRequest` fields. Genesys clients have exactly one grant type; scopes
 * belong to user-facing grants and role divisions to client credentials, so a mix-up is refused
 * here rather than by a 400.
 */
export function genesysRequest(spec: ClientSpec, currentGrant?: string): Record<string, unknown> {
  if (spec.grantTypes && spec.grantTypes.length !== 1) {
    throw usageError('a Genesys Cloud client has exactly one grant type', { code: 'bad_grant_type', hint: 'give --grant-type once' })
  }
  const grant = spec.grantTypes?.[0] === undefined ? currentGrant : genesysGrantType(spec.grantTypes[0])
  const clientCredentials = isClientCredentials(grant)
  const userGrant = grant !== undefined && !clientCredentials
  if (spec.scopes?.length && clientCredentials) {
    throw usageError('Genesys Cloud client-credentials clients have no scopes: they get roles', { code: 'unsupported_field', hint: 'use --role-division ROLE_ID:DIVISION_ID' })
  }
  if (spec.roleDivisions?.length && userGrant) {
    throw usageError('Genesys Cloud grants role divisions only to client-credentials clients', { code: 'unsupported_field', hint: 'use --scope for this grant type' })
  }
  return {
    name: spec.name,
    description: spec.description,
    accessTokenValiditySeconds: spec.tokenTtl,
    registeredRedirectUri: spec.redirectUris,
    authorizedGrantType: spec.grantTypes ? grant : undefined,
    // The empty list a client of the other kind carries (as the API returns it) is left out, as Genesys's examples do.
    scope: clientCredentials && spec.scopes?.length === 0 ? undefined : spec.scopes,
    roleDivisions: userGrant && spec.roleDivisions?.length === 0 ? undefined : spec.roleDivisions,
    ...spec.extra,
  }
}

/** `OAuthClientRequest`'s fields that have no common name: sent as they are. */
const REQUEST_ONLY = ['state', 'roleIds', 'dateToDelete'] as const
/** What the server sets on an `OAuthClient`: in `get --native` output, never sent back. */
const SERVER_SET = ['id', 'secret', 'dateCreated', 'dateModified', 'createdBy', 'modifiedBy', 'selfUri'] as const

const DocumentSchema = documentSchema(
  {
    name: z.string(),
    description: z.string(),
    accessTokenValiditySeconds: z.number(),
    registeredRedirectUri: z.array(z.string()),
    authorizedGrantType: z.string(),
    scope: z.array(z.string()),
    roleDivisions: z.array(RoleDivisionWire),
    state: z.string(),
    roleIds: z.array(z.string()),
    dateToDelete: z.string(),
    ...Object.fromEntries(SERVER_SET.map((field) => [field, z.unknown()])),
  },
  "Genesys Cloud's OAuthClient",
)

/** Genesys Cloud's own `OAuthClient` (`OAuthClientRequest` plus what the server sets), as its API and SDKs write it. */
export const genesysDocument: NativeFormat = {
  label: 'Genesys Cloud OAuthClient',
  names: new Set(Object.keys(DocumentSchema.shape)),
  schema: DocumentSchema,
  idField: 'id',
  secretFields: ['secret'],
  fields: {
    name: 'name',
    description: 'description',
    tokenTtl: 'accessTokenValiditySeconds',
    redirectUris: 'registeredRedirectUri',
    grantTypes: 'authorizedGrantType',
    scopes: 'scope',
    roleDivisions: 'roleDivisions',
  },
  read: (doc) => {
    const d = doc as z.infer<typeof DocumentSchema>
    return {
      spec: {
        name: d.name,
        description: d.description,
        tokenTtl: d.accessTokenValiditySeconds,
        redirectUris: d.registeredRedirectUri,
        grantTypes: d.authorizedGrantType === undefined ? undefined : [d.authorizedGrantType],
        scopes: d.scope,
        roleDivisions: d.roleDivisions?.map(({ roleId, divisionId }) => ({ roleId, divisionId })),
      },
      extra: Object.fromEntries(REQUEST_ONLY.filter((field) => d[field] !== undefined).map((field) => [field, d[field]])),
    }
  },
}

const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))

/** Usage polling: first wait, cap per wait, and the total wait before giving up. */
export const USAGE_POLL = { firstMs: 500, maxMs: 5000, budgetMs: 60_000 }

/**
 * Genesys Cloud `/api/v2/oauth/…` with a Bearer token from the profile's own credentials: clients
 * (paged by nextUri), secret rotation, usage queries, scopes and authorizations.
 */
export function genesysBackend(ctx: AdminContext): AdminBackend {
  const api = new AdminApi(genesysHosts(ctx.profile).api, {
    http: ctx.http,
    label: LABEL,
    readers: [genesysErrorBody, oauthErrorBody],
    authorization: profileBearer(ctx),
    hint: (res: HttpResponse) =>
      res.status === 401
        ? `the access token of profile ${ctx.profileName} was refused: check its client id and secret, or get a new token with oauthctl token get --force`
        : res.status === 403
          ? `the OAuth client of profile ${ctx.profileName} lacks the permission named above`
          : undefined,
  })
  const clientUrl = (id: string, rest = '') => api.url(`/api/v2/oauth/clients/${pathSegment(id)}${rest}`)
  // Authorization texts are localised; the CLI speaks English.
  const localised = language({})

  const fetchClient = (id: string) => api.json({ method: 'GET', url: clientUrl(id) }, GenesysClientSchema)

  const issued = (c: GenesysClient): IssuedClient => {
    registerSecret(c.secret)
    return { client: toAdminClient(c), secret: c.secret, authMethod: 'client_secret_basic' }
  }

  return {
    label: LABEL,
    lacks: {},
    fields: new Set(['name', 'description', 'redirectUris', 'grantTypes', 'scopes', 'tokenTtl', 'roleDivisions']),
    native: genesysDocument,
    clientProfile: { authMethod: 'client_secret_basic' },

    async list({ limit, onPage }) {
      const clients: AdminClient[] = []
      const seen = new Set<string>()
      let url: string | undefined = api.url('/api/v2/oauth/clients')
      // GET /oauth/clients takes no paging parameters; when the server pages anyway, its nextUri (or page numbers) lead on.
      while (url) {
        seen.add(url)
        const page: z.infer<typeof ListingSchema> = await api.json({ method: 'GET', url }, ListingSchema)
        clients.push(...page.entities.map(toAdminClient))
        onPage?.(page.entities.length)
        url = page.nextUri
          ? api.resolve(page.nextUri)
          : page.pageNumber !== undefined && page.pageCount !== undefined && page.pageNumber < page.pageCount
            ? api.url('/api/v2/oauth/clients', { pageSize: page.pageSize, pageNumber: page.pageNumber + 1 })
            : undefined
        if (url && seen.has(url)) throw badResponse('Genesys Cloud sent a page link already followed', { code: 'paging_loop' })
        if (limit !== undefined && clients.length >= limit) return { clients: clients.slice(0, limit), more: clients.length > limit || url !== undefined }
      }
      return { clients, more: false }
    },

    async get(id) {
      return toAdminClient(await fetchClient(id))
    },

    async create(spec): Promise<Mutation<IssuedClient>> {
      if (!spec.grantTypes) {
        throw usageError('Genesys Cloud needs a grant type for a new client', { code: 'missing_grant_type', hint: `give --grant-type: ${Object.values(GRANT_TYPES).join(', ')}` })
      }
      const request: ApiRequest = { method: 'POST', url: api.url('/api/v2/oauth/clients'), body: defined(genesysRequest(spec)) }
      return { requests: [planned(request)], apply: async () => issued(await api.json(request, GenesysClientSchema)) }
    },

    async update(id, spec) {
      const current = await fetchClient(id)
      const body = defined({ ...requestFrom(current), ...defined(genesysRequest(spec, current.authorizedGrantType)) })
      const request: ApiRequest = { method: 'PUT', url: clientUrl(id), body }
      return { requests: [planned(request)], apply: async () => toAdminClient(await api.json(request, GenesysClientSchema)) }
    },

    async delete(id) {
      const read: ApiRequest = { method: 'GET', url: clientUrl(id) }
      const res = await api.send(read)
      if (res.status === 404) return { requests: [], apply: async () => ({ id, deleted: false }) }
      const current = api.parse(res, read, GenesysClientSchema)
      // Genesys refuses to delete a client that is not inactive (400 cannot.delete.client): deactivate it first.
      const deactivate: ApiRequest | undefined =
        current.state === 'inactive' ? undefined : { method: 'PUT', url: clientUrl(id), body: defined({ ...requestFrom(current), state: 'inactive' }) }
      const remove: ApiRequest = { method: 'DELETE', url: clientUrl(id) }
      return {
        requests: [...(deactivate ? [planned(deactivate)] : []), planned(remove)],
        apply: async () => {
          if (deactivate) await api.json(deactivate, GenesysClientSchema)
          return { id, deleted: await api.remove(remove) }
        },
      }
    },

    async rotateSecret(id) {
      const request: ApiRequest = { method: 'POST', url: clientUrl(id, '/secret') }
      return {
        requests: [planned(request)],
        apply: async () => {
          const rotated = issued(await api.json(request, GenesysClientSchema))
          if (!rotated.secret) throw badResponse('Genesys Cloud rotated the secret but returned none', { code: 'no_secret' })
          return rotated
        },
      }
    },

    async usage(id, days): Promise<UsageReport> {
      const end = new Date(ctx.now() * 1000)
      const interval = `${new Date(end.getTime() - days * 86_400_000).toISOString()}/${end.toISOString()}`
      const body = { interval, granularity: 'Day', groupBy: ['TemplateUri', 'HttpMethod'] }
      // The query only reads: repeating it after a failure is safe.
      const execution = await api.json({ method: 'POST', url: clientUrl(id, '/usage/query'), body, retry: 'safe' }, ExecutionSchema)
      const resultsUrl = execution.resultsUri ? api.resolve(execution.resultsUri) : clientUrl(id, `/usage/query/results/${pathSegment(execution.executionId, 'execution id')}`)
      for (let waited = 0, wait = USAGE_POLL.firstMs; ; wait = Math.min(wait * 2, USAGE_POLL.maxMs)) {
        const result = await api.json({ method: 'GET', url: resultsUrl }, UsageResultSchema)
        if (result.queryStatus === 'Complete') return { clientId: id, interval, rows: result.results ?? [] }
        if (result.queryStatus === 'Failed') throw networkError(`the usage query for client ${id} failed on the server`, { code: 'usage_query_failed' })
        if (waited >= USAGE_POLL.budgetMs) throw networkError(`the usage query for client ${id} did not complete within ${USAGE_POLL.budgetMs / 1000} s`, { code: 'timeout' })
        await ctx.sleep(wait)
        waited += wait
      }
    },

    scopes: {
      list: async (options = {}) =>
        (await api.json({ method: 'GET', url: api.url('/api/v2/oauth/scopes'), headers: language(options) }, z.object({ entities: z.array(ScopeSchema) }).loose())).entities,
      get: (id, options = {}) => api.json({ method: 'GET', url: api.url(`/api/v2/oauth/scopes/${pathSegment(id, 'scope id')}`), headers: language(options) }, ScopeSchema),
    },

    authorizations: {
      list: async () =>
        (await api.json({ method: 'GET', url: api.url('/api/v2/oauth/authorizations'), headers: localised }, z.object({ entities: z.array(AuthorizationSchema) }).loose())).entities.map(
          toAuthorization,
        ),
      get: async (clientId) =>
        toAuthorization(await api.json({ method: 'GET', url: api.url(`/api/v2/oauth/authorizations/${pathSegment(clientId)}`), headers: localised }, AuthorizationSchema)),
    },
  }
}

/**
 * The scope endpoints' language: an `Accept-Language` header, which is where Genesys's SDKs put
 * their `accept_language` parameter (there is no query parameter). Checked as a language tag so
 * that nothing else reaches a header.
 */
function language({ lang }: ScopeOptions): Record<string, string> {
  if (lang === undefined) return { 'accept-language': 'en-us' } // the SDKs' default
  if (!/^[a-z]{1,8}(-[a-z0-9]{1,8})*$/i.test(lang)) {
    throw usageError(`--lang: ${JSON.stringify(lang)} is not a language tag`, { code: 'bad_flag', hint: 'give one such as de, de-de or fr-ca' })
  }
  return { 'accept-language': lang.toLowerCase() }
}

function toAuthorization(a: z.infer<typeof AuthorizationSchema>): Authorization {
  return {
    clientId: a.client.id,
    clientName: a.client.name,
    scopes: a.scope ?? [],
    state: a.state,
    resourceOwner: a.resourceOwner?.name ?? a.resourceOwner?.id,
    created: a.dateCreated,
    // The nested client carries its secret.
    raw: redactJson(a),
  }
}
