import { z } from 'zod'
import type { AuthMethod, Profile } from '../config/schema.js'
import type { HttpClient } from '../http/client.js'
import type { SecretStore } from '../storage/types.js'

/** A Genesys Cloud role granted in one division (client-credentials clients only). */
export const RoleDivisionSchema = z.object({ roleId: z.string().min(1), divisionId: z.string().min(1) }).strict()

/** Names the flag that sets each field, for messages about flags and about back ends that lack a field. */
export const SPEC_FLAGS = {
  name: '--name',
  description: '--description',
  redirectUris: '--redirect-uri',
  grantTypes: '--grant-type',
  scopes: '--scope',
  tokenTtl: '--token-ttl',
  roleDivisions: '--role-division',
} as const

/**
 * What `clients create` and `clients update` ask for, from flags or `--from-file`. Field names are
 * the common ones; each back end maps them to its own wire names and rejects those it lacks.
 */
export const ClientSpecSchema = z
  .strictObject(
    {
      name: z.string().min(1),
      description: z.string(),
      redirectUris: z.array(z.url({ error: 'must be a URL' })),
      /** RFC 7591 names (`authorization_code`, `client_credentials`…); back ends accept their own aliases too. */
      grantTypes: z.array(z.string().min(1)),
      scopes: z.array(z.string().min(1)),
      /** Access token lifetime in seconds. */
      tokenTtl: z.int().positive(),
      roleDivisions: z.array(RoleDivisionSchema),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')} (known: ${Object.keys(SPEC_FLAGS).join(', ')})` : undefined) },
  )
  .partial()

/**
 * The spec a back end is asked to apply. `extra` holds fields of a native `--from-file` document
 * that have no common name (RFC 7591 `token_endpoint_auth_method` and extension metadata, Genesys
 * `state`): sent as they are, after the common fields.
 */
export type ClientSpec = z.infer<typeof ClientSpecSchema> & { extra?: Record<string, unknown> }
export type SpecField = keyof typeof SPEC_FLAGS

/** What a back end's own client document becomes: the common fields (under their common names) and the ones sent as they are. */
export interface NativeSpec {
  spec: Partial<Record<SpecField, unknown>>
  extra?: Record<string, unknown>
}

/** A native document's schema: these fields, each optional; any other is refused, naming it and the document. */
export function documentSchema<T extends z.ZodRawShape>(shape: T, document: string) {
  return z
    .strictObject(shape, { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')} (${document} has no such field)` : undefined) })
    .partial()
}

/**
 * A back end's own client document, as `clients get ID --json --native` prints it and
 * `--from-file` takes it back: its field names, how to validate and read it, and which of its
 * fields the server sets (accepted, so that a document from `get --native` can be sent back, and
 * never sent).
 */
export interface NativeFormat {
  /** Names the document in messages: "RFC 7591 client metadata". */
  label: string
  /** Every field name the document can have: one that oauthctl's neutral shape lacks marks a file as this document. */
  names: ReadonlySet<string>
  /** Validates the document under its own field names (so errors name them). */
  schema: z.ZodType<Record<string, unknown>>
  /** The field that names the client: in `update ID --from-file` it must be ID. */
  idField: string
  /** Secrets the server issues: a document may carry them only redacted, as `get --native` prints them (none can be set). */
  secretFields: readonly string[]
  /** The native field of each common field, for messages about a value the common checks refuse. */
  fields: Partial<Record<SpecField, string>>
  read(doc: Record<string, unknown>): NativeSpec
}

/**
 * One OAuth client in the common shape every back end produces: what `list`, `get` and `--json`
 * show. `raw` is the back end's own object with secrets redacted, for what the common shape drops.
 */
export const AdminClientSchema = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  description: z.string().optional(),
  grantTypes: z.array(z.string()),
  redirectUris: z.array(z.string()),
  scopes: z.array(z.string()),
  tokenTtl: z.number().optional(),
  state: z.string().optional(),
  /** ISO 8601. */
  created: z.string().optional(),
  raw: z.record(z.string(), z.unknown()),
})

export type AdminClient = z.infer<typeof AdminClientSchema>

/** A request that changes something, as `--dry-run` prints it. Headers are left out: they carry credentials. */
export interface PlannedRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  url: string
  body?: unknown
}

/**
 * A change worked out but not yet made: the reads it needed are done, `requests` are the writes
 * `apply` will send, in order. `--dry-run` prints `requests`; confirmation happens between the two.
 */
export interface Mutation<R> {
  requests: PlannedRequest[]
  apply(): Promise<R>
}

/** The result of `create` and `rotate-secret`: the client and its new secret (absent for public clients). */
export interface IssuedClient {
  client: AdminClient
  secret?: string
  /** How this client authenticates at the token endpoint, when the server said. */
  authMethod?: AuthMethod
}

export interface DeleteOutcome {
  id: string
  /** False when the client was already gone: still a success. */
  deleted: boolean
}

export interface ClientPage {
  clients: AdminClient[]
  /** True when the server has more clients than were fetched. */
  more: boolean
}

export interface CreateOptions {
  /** RFC 7591 §3: the initial access token some servers want for registration. */
  initialAccessToken?: string
}

export const ScopeSchema = z.object({ id: z.string(), description: z.string().optional() }).loose()

export interface ScopeOptions {
  /** The language of the descriptions, a language tag (`de`, `de-de`); the API's default (English) without. */
  lang?: string
}
export type Scope = z.infer<typeof ScopeSchema>

/** A user's grant to a client (Genesys Cloud). The client inside is redacted. */
export interface Authorization {
  clientId: string
  clientName?: string
  scopes: string[]
  state?: string
  resourceOwner?: string
  created?: string
  raw: Record<string, unknown>
}

/** One row of a Genesys Cloud API usage query (`ApiUsageRow`). */
export const UsageRowSchema = z
  .object({
    date: z.string(),
    clientId: z.string(),
    clientName: z.string(),
    templateUri: z.string(),
    httpMethod: z.string(),
    requests: z.number(),
    status200: z.number(),
    status300: z.number(),
    status400: z.number(),
    status429: z.number(),
    status500: z.number(),
  })
  .partial()
  .loose()
export type UsageRow = z.infer<typeof UsageRowSchema>

export interface UsageReport {
  clientId: string
  interval: string
  rows: UsageRow[]
}

/** Every operation the `clients`, `scopes` and `authorizations` commands can ask of a back end. */
export type Operation = 'list' | 'get' | 'create' | 'update' | 'delete' | 'rotateSecret' | 'usage' | 'scopes' | 'authorizations'

/**
 * One client-administration API. Each operation is optional: a back end leaves out what its API
 * lacks and says why in `lacks`, so the command exits 2 with that reason instead of doing nothing.
 */
export interface AdminBackend {
  /** Names the API in messages: "Genesys Cloud", "Nutanix Prism Central (v3)". */
  readonly label: string
  /** Why an operation is missing, for those whose reason is worth more than "not available". */
  readonly lacks: Partial<Record<Operation, string>>
  /** The spec fields create/update accept; any other is refused before a request is sent. */
  readonly fields: ReadonlySet<SpecField>
  /** The back end's own client document, which `--from-file` also takes (`get --native` prints `raw`). */
  readonly native?: NativeFormat
  /**
   * How a client of this API authenticates at the token endpoint (`--save-profile`); for back ends
   * that issue secrets. The endpoints come with the profile's provider, region and host.
   */
  readonly clientProfile?: { authMethod: AuthMethod }
  /** `onPage`: told how many clients each page brought, as it arrives (the progress line). */
  list?(options: { limit?: number; onPage?: (items: number) => void }): Promise<ClientPage>
  get?(id: string): Promise<AdminClient>
  create?(spec: ClientSpec, options: CreateOptions): Promise<Mutation<IssuedClient>>
  update?(id: string, spec: ClientSpec): Promise<Mutation<AdminClient>>
  delete?(id: string): Promise<Mutation<DeleteOutcome>>
  rotateSecret?(id: string): Promise<Mutation<IssuedClient>>
  usage?(id: string, days: number): Promise<UsageReport>
  scopes?: { list(options?: ScopeOptions): Promise<Scope[]>; get(id: string, options?: ScopeOptions): Promise<Scope> }
  authorizations?: { list(): Promise<Authorization[]>; get(clientId: string): Promise<Authorization> }
}

/** What a back end needs from the command run: the profile, the HTTP layer, secret storage, time. */
export interface AdminContext {
  profileName: string
  profile: Profile
  http: HttpClient
  /** Opened on first use: listing Nutanix clients with the password in the environment needs no store. */
  store: () => Promise<SecretStore>
  env: NodeJS.ProcessEnv
  configDir: string
  /** Seconds since the epoch, as the token cache counts. */
  now: () => number
  sleep: (ms: number) => Promise<void>
  warn: (message: string) => void
  /** A hidden prompt on a terminal; undefined when nobody can answer. */
  promptSecret?: (message: string) => Promise<string>
  /** The profile's own access token, the way `token get` gets one (cache, refresh, client credentials): what Bearer admin APIs take. */
  accessToken: () => Promise<string>
}
