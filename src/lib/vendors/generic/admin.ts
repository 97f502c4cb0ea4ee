import * as oauth from 'oauth4webapi'
import { z } from 'zod'
import { AUTH_METHODS, type AuthMethod } from '../../config/schema.js'
import { authRequired, storageError, usageError } from '../../errors.js'
import type { HttpResponse } from '../../http/client.js'
import { oauthErrorBody } from '../../http/response.js'
import { withLock } from '../../lock.js'
import { withDiscovery } from '../../oauth/discovery.js'
import { effectiveEndpoints } from '../../oauth/endpoints.js'
import { checkTransport } from '../../http/transport.js'
import { registerSecret } from '../../redact.js'
import { secretKeys } from '../../storage/keys.js'
import { adminClient } from '../../admin/client.js'
import { AdminApi, type ApiRequest, planned } from '../../admin/http.js'
import type { AdminBackend, AdminClient, AdminContext, ClientSpec, IssuedClient, Mutation, NativeFormat } from '../../admin/types.js'
import { fromOAuthLibrary } from '../../oauth/library-errors.js'

/** RFC 7591 §2 / §3.2.1 client metadata as servers return it; unknown members are kept. */
export const ClientMetadataSchema = z
  .object({
    client_id: z.string().min(1),
    client_secret: z.string().optional(),
    client_name: z.string().optional(),
    redirect_uris: z.array(z.string()).optional(),
    grant_types: z.array(z.string()).optional(),
    response_types: z.array(z.string()).optional(),
    scope: z.string().optional(),
    token_endpoint_auth_method: z.string().optional(),
    client_id_issued_at: z.number().optional(),
    registration_access_token: z.string().min(1).optional(),
    registration_client_uri: z.url().optional(),
  })
  .loose()
export type ClientMetadata = z.infer<typeof ClientMetadataSchema>

/** RFC 7592 management credentials per client id, kept under the profile's registration key. */
const RegistrationsSchema = z.record(z.string(), z.object({ accessToken: z.string().min(1), clientUri: z.url() }))
type Registrations = z.infer<typeof RegistrationsSchema>

/** RFC 7592 §2.2: the server sets these itself; an update must not send them. */
const SERVER_SET = ['registration_access_token', 'registration_client_uri', 'client_secret_expires_at', 'client_id_issued_at', 'client_secret'] as const

const LABEL = 'client registration (RFC 7591/7592)'

/**
 * Common spec → RFC 7591 metadata. response_types follow grant_types (RFC 7591 §2.1), or servers
 * reject the pair; a native document's own fields (its response_types, token_endpoint_auth_method,
 * extension metadata) come last and win.
 */
export function registrationMetadata(spec: ClientSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (spec.name !== undefined) out.client_name = spec.name
  if (spec.redirectUris) out.redirect_uris = spec.redirectUris
  if (spec.grantTypes) {
    out.grant_types = spec.grantTypes
    out.response_types = [...(spec.grantTypes.includes('authorization_code') ? ['code'] : []), ...(spec.grantTypes.includes('implicit') ? ['token'] : [])]
  }
  if (spec.scopes) out.scope = spec.scopes.join(' ')
  return { ...out, ...spec.extra }
}

/** RFC 7591 §2 metadata names beyond those ClientMetadataSchema reads: any of them marks a file as a registration document. */
const REGISTERED_NAMES = ['client_uri', 'logo_uri', 'contacts', 'tos_uri', 'policy_uri', 'jwks_uri', 'jwks', 'software_id', 'software_version', 'software_statement', 'client_secret_expires_at']

/**
 * RFC 7591 client metadata, as `clients get --native` prints it (the server's RFC 7592 read). Names
 * oauthctl does not know are extension metadata (RFC 7591 §2): passed through to the server.
 */
export const registrationDocument: NativeFormat = {
  label: 'RFC 7591 client metadata',
  names: new Set([...Object.keys(ClientMetadataSchema.shape), ...REGISTERED_NAMES]),
  schema: ClientMetadataSchema.partial(),
  idField: 'client_id',
  secretFields: ['client_secret', 'registration_access_token'],
  fields: { name: 'client_name', redirectUris: 'redirect_uris', grantTypes: 'grant_types', scopes: 'scope' },
  read: (doc) => {
    const { client_id: _id, client_name, redirect_uris, grant_types, scope, ...extra } = doc as Partial<ClientMetadata>
    // What the server sets (the secret, the registration access token and URI, timestamps) is never sent back.
    for (const field of SERVER_SET) delete extra[field]
    return {
      spec: { name: client_name, redirectUris: redirect_uris, grantTypes: grant_types, scopes: scope?.split(' ').filter(Boolean) },
      extra,
    }
  },
}

export function toAdminClient(meta: ClientMetadata): AdminClient {
  return adminClient({
    id: meta.client_id,
    name: meta.client_name,
    // RFC 7591 §2: an omitted grant_types means authorization_code.
    grantTypes: meta.grant_types ?? ['authorization_code'],
    redirectUris: meta.redirect_uris ?? [],
    scopes: meta.scope?.split(' ').filter(Boolean) ?? [],
    created: meta.client_id_issued_at === undefined ? undefined : new Date(meta.client_id_issued_at * 1000).toISOString(),
    raw: meta,
  })
}

const authMethodOf = (meta: ClientMetadata): AuthMethod | undefined =>
  AUTH_METHODS.find((m) => m === meta.token_endpoint_auth_method)

/**
 * Standard dynamic registration: create at the registration endpoint (RFC 7591), then read,
 * update and delete at the client configuration endpoint with the registration access token
 * returned at creation (RFC 7592), which is kept in secret storage. RFC 7592 is hand-written here:
 * oauth4webapi has no API for it.
 */
export function rfc7591Backend(ctx: AdminContext): AdminBackend {
  const storageKey = secretKeys.registration(ctx.profileName)

  /** `refused` explains a 401: at the registration endpoint it is about the initial access token, elsewhere the registration access token. */
  const api = (base: string, refused: string) =>
    new AdminApi(base, { http: ctx.http, label: LABEL, readers: [oauthErrorBody], hint: (res: HttpResponse) => (res.status === 401 ? refused : undefined) })

  const readRegistrations = async (): Promise<Registrations> => {
    const stored = await (await ctx.store()).get(storageKey)
    if (stored === undefined) return {}
    const parsed = RegistrationsSchema.safeParse(safeJson(stored))
    if (!parsed.success) throw storageError(`the stored registrations of profile ${ctx.profileName} are unreadable`, { code: 'storage_corrupt', hint: `remove the ${storageKey} entry` })
    for (const reg of Object.values(parsed.data)) registerSecret(reg.accessToken)
    return parsed.data
  }

  /**
   * RFC 7591 §3 through oauth4webapi, which checks what the standard asks of the answer (201 Created,
   * a client_id, client_secret_expires_at with a secret). Non-2xx answers are read by our API layer
   * first, for its hints (the initial access token) and error shapes; the body is then read by our
   * schema, which keeps extension members and checks the RFC 7592 URI.
   */
  const register = async (registrationApi: AdminApi, request: ApiRequest, initialAccessToken: string | undefined): Promise<ClientMetadata> => {
    const what = registrationApi.describe(request)
    // oauth4webapi wants an issuer in the server metadata; the registration request does not use it.
    const as = { issuer: request.url, registration_endpoint: request.url }
    const response = await oauth
      .dynamicClientRegistrationRequest(as, request.body as Partial<oauth.Client>, {
        [oauth.customFetch]: registrationApi.fetcher(request) as typeof fetch,
        [oauth.allowInsecureRequests]: checkTransport(request.url, ctx.http.insecure, LABEL),
        initialAccessToken,
      })
      .catch((err: unknown) => {
        throw fromOAuthLibrary(err, what)
      })
    const raw = ctx.http.rawResponse(response)
    if (!raw) throw new TypeError('a registration response that did not come through our HTTP layer')
    if (raw.status < 200 || raw.status >= 300) throw registrationApi.error(raw, request)
    await oauth.processDynamicClientRegistrationResponse(response).catch((err: unknown) => {
      throw fromOAuthLibrary(err, what)
    })
    return registrationApi.parse(raw, request, ClientMetadataSchema)
  }

  /** Read, change and write the registrations under a lock, so parallel creates keep each other's entry. */
  const changeRegistrations = (change: (regs: Registrations) => void) =>
    withLock(ctx.configDir, `registrations-${ctx.profileName}`, async () => {
      const regs = await readRegistrations()
      change(regs)
      const store = await ctx.store()
      if (Object.keys(regs).length === 0) await store.delete(storageKey)
      else await store.set(storageKey, JSON.stringify(regs))
    })

  const remember = async (meta: ClientMetadata) => {
    const { registration_access_token: accessToken, registration_client_uri: clientUri } = meta
    registerSecret(accessToken)
    if (!accessToken || !clientUri) return
    await changeRegistrations((regs) => {
      regs[meta.client_id] = { accessToken, clientUri }
    })
  }

  const registration = async (id: string) => {
    const reg = (await readRegistrations())[id]
    if (!reg) {
      throw authRequired(`no registration access token is stored for client ${id} in profile ${ctx.profileName}`, {
        code: 'no_registration',
        hint: 'RFC 7592 manages only clients registered with `oauthctl clients create` under this profile, which keeps their registration access token',
      })
    }
    checkTransport(reg.clientUri, ctx.http.insecure, 'the client configuration endpoint')
    const management = api(reg.clientUri, 'the registration access token was refused: the client may be gone, or its token revoked')
    return { ...reg, api: management, authorization: `Bearer ${reg.accessToken}` }
  }

  /** GET the client configuration; a rotated registration access token is kept. */
  const read = async (id: string) => {
    const reg = await registration(id)
    const meta = await reg.api.json({ method: 'GET', url: reg.clientUri, authorization: reg.authorization }, ClientMetadataSchema)
    registerSecret(meta.client_secret)
    if (meta.registration_access_token && meta.registration_access_token !== reg.accessToken) await remember(meta)
    return { reg, meta }
  }

  /** RFC 7592 §2.2: a PUT carries the whole metadata (omitted fields may be dropped), minus what the server sets. */
  const putMetadata = (id: string, current: ClientMetadata, spec: ClientSpec) => {
    const body: Record<string, unknown> = { ...current, ...registrationMetadata(spec), client_id: id }
    for (const field of SERVER_SET) delete body[field]
    return body
  }

  const put = async (id: string, spec: ClientSpec) => {
    const { reg, meta } = await read(id)
    const request: ApiRequest = { method: 'PUT', url: reg.clientUri, body: putMetadata(id, meta, spec), authorization: reg.authorization }
    const send = async () => {
      const updated = await reg.api.json(request, ClientMetadataSchema)
      registerSecret(updated.client_secret)
      if (updated.registration_access_token && updated.registration_access_token !== reg.accessToken) await remember(updated)
      return updated
    }
    return { current: meta, request, send }
  }

  return {
    label: 'RFC 7591/7592 registration',
    lacks: {
      list: 'RFC 7592 defines no list operation; read one client with `oauthctl clients get ID`',
    },
    fields: new Set(['name', 'redirectUris', 'grantTypes', 'scopes']),
    native: registrationDocument,

    async create(spec, options): Promise<Mutation<IssuedClient>> {
      const profile = await withDiscovery(ctx.profile, ctx.http)
      const endpoint = effectiveEndpoints(profile).registration
      if (!endpoint) {
        throw usageError(`the authorization server of profile ${ctx.profileName} has no registration endpoint (RFC 7591)`, {
          code: 'no_registration_endpoint',
          hint: 'dynamic registration is off on this server, or its discovery document does not name registration_endpoint',
        })
      }
      registerSecret(options.initialAccessToken)
      const request: ApiRequest = { method: 'POST', url: endpoint, body: registrationMetadata(spec) }
      return {
        requests: [planned(request)],
        apply: async () => {
          const refused = options.initialAccessToken
            ? 'the initial access token was refused'
            : 'this server wants an initial access token: pipe it to --initial-access-token-stdin or set OAUTHCTL_INITIAL_ACCESS_TOKEN'
          const meta = await register(api(endpoint, refused), request, options.initialAccessToken)
          registerSecret(meta.client_secret)
          await remember(meta)
          if (!meta.registration_access_token || !meta.registration_client_uri) {
            ctx.warn('the server returned no registration access token: oauthctl cannot read, update or delete this client later')
          } else if ((await ctx.store()).kind === 'none') {
            ctx.warn('secret storage is none: the registration access token is not kept, so this client cannot be managed later')
          }
          return { client: toAdminClient(meta), secret: meta.client_secret, authMethod: authMethodOf(meta) }
        },
      }
    },

    async get(id) {
      return toAdminClient((await read(id)).meta)
    },

    async update(id, spec) {
      const { request, send } = await put(id, spec)
      return { requests: [planned(request)], apply: async () => toAdminClient(await send()) }
    },

    async rotateSecret(id) {
      const { current, request, send } = await put(id, {})
      return {
        requests: [planned(request)],
        apply: async () => {
          const updated = await send()
          // RFC 7592 lets a server issue a new secret on update; many (oidc-provider among them) keep it.
          if (!updated.client_secret || updated.client_secret === current.client_secret) {
            throw usageError('rotate-secret is not supported by this server: its RFC 7592 update kept the current client secret', { code: 'not_supported' })
          }
          return { client: toAdminClient(updated), secret: updated.client_secret, authMethod: authMethodOf(updated) }
        },
      }
    },

    async delete(id) {
      const reg = await registration(id)
      const request: ApiRequest = { method: 'DELETE', url: reg.clientUri, authorization: reg.authorization }
      return {
        requests: [planned(request)],
        apply: async () => {
          const deleted = await reg.api.remove(request)
          await changeRegistrations((regs) => {
            delete regs[id]
          })
          return { id, deleted }
        },
      }
    },
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
