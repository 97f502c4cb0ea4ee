import { z } from 'zod'
import { AdminClientSchema, ScopeSchema, UsageRowSchema } from '../admin/types.js'
import { EndpointsSchema, ProfileSchema, StorageKindSchema } from '../config/schema.js'
import { expiry, isoDate, serverDocument, TokenJsonSchema } from '../tokens/token-json.js'

/**
 * The `--json` contract (README "JSON output"): each command's document as a zod schema, from which
 * docs/schemas/<command>.json is generated (`npm run schemas`) and against which the tests check
 * real output. Our keys are camelCase; dates are ISO 8601, expiry also in epoch seconds
 * (`expiresAtEpoch`) for arithmetic; documents are objects (only `clients list` is an array, as
 * SPEC.md says). A server's own documents (JWT claims, userinfo, introspection, a client's `raw`)
 * are passed through under one key with the server's names. Objects are strict, so a field added
 * without its schema fails the tests.
 */

// ---- errors (stderr) ----

export const ErrorJsonSchema = z.strictObject({
  error: z.strictObject({
    code: z.string().min(1).describe('stable machine-readable code, e.g. auth_required, invalid_grant'),
    message: z.string(),
    status: z.int().describe('the exit code'),
    httpStatus: z.int().optional().describe('the HTTP status of the response behind the error, when there was one'),
    hint: z.string().optional(),
  }),
})

// ---- tokens ----

export const IdTokenJsonSchema = z.strictObject({ idToken: z.string().min(1), ...expiry })

export const TokenRefreshJsonSchema = z.strictObject({
  refreshed: z.literal(true),
  ...expiry,
  scopes: z.array(z.string()),
  tokenType: z.string(),
  refreshTokenRotated: z.boolean(),
})

const SenderBindingSchema = z.strictObject({
  method: z.enum(['dpop', 'mtls']),
  thumbprint: z.string().describe('cnf.jkt (DPoP key) or cnf.x5t#S256 (client certificate)'),
})

const introspection = serverDocument('the introspection response (RFC 7662)').optional()

export const TokenInspectJsonSchema = z.discriminatedUnion('format', [
  z.strictObject({
    format: z.literal('jwt'),
    header: serverDocument('the JWS protected header'),
    claims: serverDocument('the JWT claims'),
    times: z.strictObject({ issuedAt: isoDate.optional(), notBefore: isoDate.optional(), expiresAt: isoDate.optional() }),
    expiresIn: z.int().optional().describe('seconds left until exp (negative once expired)'),
    expired: z.boolean(),
    scopes: z.array(z.string()),
    audience: z.array(z.string()),
    boundTo: SenderBindingSchema.optional(),
    verification: z
      .strictObject({ valid: z.literal(true), claims: serverDocument('the verified claims'), alg: z.string(), kid: z.string().optional(), checked: z.array(z.string()) })
      .optional(),
    introspection,
  }),
  z.strictObject({ format: z.literal('opaque'), length: z.int(), introspection }),
])

export const TokenRevokeJsonSchema = z.strictObject({ revoked: z.literal(true), removedFromCache: z.boolean() })

export const TokenGenerateJsonSchema = z.strictObject({
  clientId: z.string(),
  clientSecret: z.string(),
  profile: z.string(),
  scopes: z.array(z.string()),
  ...expiry,
})

// ---- sessions ----

export const LoginJsonSchema = z.strictObject({
  profile: z.string(),
  issuer: z.string(),
  grant: z.string(),
  subject: z.string().optional(),
  name: z.string().optional(),
  scopes: z.array(z.string()),
  ...expiry,
  expiresIn: z.int().describe('seconds left'),
  refreshable: z.boolean().describe('a refresh token is stored'),
  storage: StorageKindSchema,
})

export const LogoutJsonSchema = z.strictObject({
  profile: z.string(),
  deleted: z.int().describe('stored token sets deleted'),
  revoked: z.int(),
  notRevoked: z.int(),
})

export const UserInfoJsonSchema = z.strictObject({
  claims: serverDocument('the UserInfo claims (OpenID Connect Core §5.3.2)'),
  subjectChecked: z.boolean(),
})

/** What the server said to `status --check`. */
export const StatusCheckSchema = z.strictObject({
  /** introspection (RFC 7662), userinfo (OIDC), else a token request (client credentials or refresh). */
  method: z.enum(['introspection', 'userinfo', 'token_request']),
  /** rejected: the server says the token or the credentials are no good (exit 3); failed: no usable answer (exit 5…). */
  result: z.enum(['ok', 'rejected', 'failed']),
  /** Introspection's `active`. */
  active: z.boolean().optional(),
  /** The HTTP status of a refusal. */
  httpStatus: z.int().optional(),
  detail: z.string(),
})

export const TokenStatusSchema = z.strictObject({
  scopes: z.array(z.string()),
  audience: z.string().optional(),
  resource: z.string().optional(),
  ...expiry,
  expiresIn: z.int(),
  refreshable: z.boolean(),
  subject: z.string().optional(),
  grant: z.string(),
})

export const ProfileStatusSchema = z.strictObject({
  name: z.string(),
  default: z.boolean(),
  provider: z.string(),
  storage: StorageKindSchema,
  storageSource: z.enum(['flag', 'env', 'profile', 'default']),
  /** usable: `token get` can produce a token now (exit 0); needs_login: exit 3; storage_unavailable: exit 6. */
  state: z.enum(['usable', 'needs_login', 'storage_unavailable']),
  /** How `token get` would produce it: the cached token, the refresh token, or the client credentials grant. */
  usableBy: z.enum(['cached_token', 'refresh_token', 'client_credentials']).optional(),
  storageError: z.string().optional(),
  /** A token valid or refreshable is stored. */
  loggedIn: z.boolean(),
  hasClientSecret: z.boolean(),
  tokens: z.array(TokenStatusSchema),
  check: StatusCheckSchema.optional(),
})

export const StatusReportSchema = z.strictObject({ profiles: z.array(ProfileStatusSchema) })

export const StatusJsonSchema = StatusReportSchema

export const DoctorCheckSchema = z.strictObject({
  name: z.enum(['storage', 'ca', 'proxy', 'issuer', 'discovery', 'clock']),
  result: z.enum(['ok', 'warn', 'fail']),
  /** One line: what was found, or why it failed. */
  detail: z.string(),
  /** What to do about a warning or a failure. */
  hint: z.string().optional(),
})

export const DoctorReportSchema = z.strictObject({
  /** The profile checked; null when there is none (the checks that need one are left out). */
  profile: z.string().nullable(),
  configDir: z.string(),
  /** `process.platform`, or `wsl`. */
  platform: z.string(),
  checks: z.array(DoctorCheckSchema),
})

export const DoctorJsonSchema = DoctorReportSchema

// ---- profiles ----

/** A profile's settings as config.json keeps them, without the cached discovery document. */
const ProfileSettingsSchema = ProfileSchema.omit({ discovery: true })

export const ProfilesAddJsonSchema = z.strictObject({
  name: z.string(),
  created: z.boolean(),
  default: z.boolean(),
  discovered: z.boolean(),
  secretStored: z.boolean(),
  tokensDropped: z.int(),
  profile: ProfileSettingsSchema,
  endpoints: EndpointsSchema.describe('the endpoints in effect: given, discovered or from the vendor preset'),
})

export const ProfilesListJsonSchema = z.strictObject({
  profiles: z.array(
    z.strictObject({
      name: z.string(),
      default: z.boolean(),
      provider: z.string().describe('a provider of the vendor registry'),
      issuer: z.string().optional(),
      tokenEndpoint: z.string().optional(),
      clientId: z.string().optional(),
    }),
  ),
})

export const ProfilesShowJsonSchema = ProfileSettingsSchema.extend({
  name: z.string(),
  source: z.enum(['config', 'env']),
  default: z.boolean(),
  endpoints: EndpointsSchema.describe('the endpoints in effect: given, discovered or from the vendor preset'),
  discoveredAt: isoDate.optional(),
  hasClientSecret: z.boolean(),
  storage: StorageKindSchema,
}).strict()

export const ProfilesRemoveJsonSchema = z.strictObject({ name: z.string(), secretsRemoved: z.int() })
export const ProfilesUseJsonSchema = z.strictObject({ defaultProfile: z.string() })

// ---- client administration ----

const ClientJsonSchema = AdminClientSchema.extend({
  created: isoDate.optional(),
  raw: serverDocument("the back end's own client document, secrets redacted"),
}).strict()

const DryRunJsonSchema = z.strictObject({
  dryRun: z.literal(true),
  requests: z.array(z.strictObject({ method: z.enum(['GET', 'POST', 'PUT', 'DELETE']), url: z.string(), body: z.unknown().optional() })),
})

/** What create, rotate-secret and recover-secret print: the secret once, or where it went instead. */
const IssuedJsonSchema = z.strictObject({
  client: ClientJsonSchema,
  secret: z.string().optional().describe('the new secret, shown this once (absent for a public client, or when it went elsewhere)'),
  delivered: z.string().optional().describe('the --deliver command it was written to'),
  verified: z.boolean().optional(),
  savedProfile: z.strictObject({ name: z.string(), created: z.boolean() }).optional(),
})

const AuthorizationJsonSchema = z.strictObject({
  clientId: z.string(),
  clientName: z.string().optional(),
  scopes: z.array(z.string()),
  state: z.string().optional(),
  resourceOwner: z.string().optional(),
  created: isoDate.optional(),
  raw: serverDocument('the back end\'s own document'),
})

// ---- integrations and the sandbox ----

const ExecStanzaSchema = z.strictObject({
  apiVersion: z.string(),
  command: z.string(),
  args: z.array(z.string()),
  interactiveMode: z.string(),
  provideClusterInfo: z.boolean(),
})

export const KubeconfigJsonSchema = z
  .strictObject({
    written: z.literal(true).optional().describe('with --write: merged into the kubeconfig'),
    users: z.array(z.strictObject({ name: z.string(), user: z.strictObject({ exec: ExecStanzaSchema }) })),
  })
  .describe('a kubeconfig fragment (kubectl\'s names)')

export const GitCredentialConfigureJsonSchema = z.union([
  z.strictObject({ url: z.string(), profile: z.string(), username: z.string() }),
  z.strictObject({ url: z.string(), removed: z.boolean() }),
])

export const SandboxJsonSchema = z.strictObject({
  issuer: z.string(),
  clients: z.array(z.strictObject({ clientId: z.string(), clientSecret: z.string().optional(), grantTypes: z.array(z.string()) })),
  try: z.array(z.string()),
})

export const SandboxDemoJsonSchema = z.strictObject({
  issuer: z.string(),
  profile: z.string(),
  steps: z.array(z.strictObject({ step: z.string(), detail: z.string(), tokenRequests: z.int() })),
  claims: serverDocument('the token\'s claims').optional(),
})

/** Every document, by the command (and the flag that changes its shape) that prints it. */
export const JSON_DOCUMENTS = {
  error: ErrorJsonSchema,
  'authorizations get': AuthorizationJsonSchema,
  'authorizations list': z.strictObject({ authorizations: z.array(AuthorizationJsonSchema) }),
  'clients create': z.union([IssuedJsonSchema, DryRunJsonSchema]),
  'clients delete': z.union([z.strictObject({ id: z.string(), deleted: z.boolean().describe('false: it was already gone') }), DryRunJsonSchema]),
  'clients get': ClientJsonSchema,
  'clients get --native': serverDocument("the back end's own client document, secrets redacted: what clients update --from-file takes"),
  'clients list': z.array(ClientJsonSchema).describe('an array: the one document that is not an object (SPEC.md)'),
  'clients recover-secret': IssuedJsonSchema,
  'clients rotate-secret': z.union([IssuedJsonSchema, DryRunJsonSchema]),
  'clients update': z.union([ClientJsonSchema, DryRunJsonSchema]),
  'clients usage': z.strictObject({ clientId: z.string(), interval: z.string().describe('ISO 8601 interval'), rows: z.array(UsageRowSchema) }),
  doctor: DoctorJsonSchema,
  'git-credential configure': GitCredentialConfigureJsonSchema,
  kubeconfig: KubeconfigJsonSchema,
  login: LoginJsonSchema,
  logout: LogoutJsonSchema,
  'profiles add': ProfilesAddJsonSchema,
  'profiles list': ProfilesListJsonSchema,
  'profiles remove': ProfilesRemoveJsonSchema,
  'profiles show': ProfilesShowJsonSchema,
  'profiles use': ProfilesUseJsonSchema,
  sandbox: SandboxJsonSchema,
  'sandbox --demo': SandboxDemoJsonSchema,
  'scopes get': ScopeSchema,
  'scopes list': z.strictObject({ scopes: z.array(ScopeSchema) }),
  status: StatusJsonSchema,
  'token generate': TokenGenerateJsonSchema,
  'token get': TokenJsonSchema,
  'token get --id-token': IdTokenJsonSchema,
  'token inspect': TokenInspectJsonSchema,
  'token refresh': TokenRefreshJsonSchema,
  'token revoke': TokenRevokeJsonSchema,
  userinfo: UserInfoJsonSchema,
} satisfies Record<string, z.ZodType>

/** The shapes the client-administration commands share. */
export type DryRunJson = z.infer<typeof DryRunJsonSchema>
export type IssuedJson = z.infer<typeof IssuedJsonSchema>

export type JsonDocumentName = keyof typeof JSON_DOCUMENTS
/** The value a command builds for its `--json` document. */
export type JsonDocument<N extends JsonDocumentName> = z.infer<(typeof JSON_DOCUMENTS)[N]>

/** A change command's document once the change is made (not `--dry-run`'s). */
export type AppliedJson<N extends JsonDocumentName> = Exclude<JsonDocument<N>, DryRunJson>

/** docs/schemas/<file>: `profiles list` → profiles-list.json, `token get --id-token` → token-get.id-token.json. */
export const schemaFileName = (name: JsonDocumentName) => `${name.replace(' --', '.').replaceAll(' ', '-')}.json`

/** Each committed schema file's exact text, as `npm run schemas` writes it and the tests expect it. */
export function jsonSchemaFiles(): Record<string, string> {
  const files: Record<string, string> = {}
  for (const [name, schema] of Object.entries(JSON_DOCUMENTS) as [JsonDocumentName, z.ZodType][]) {
    const title = name === 'error' ? 'oauthctl --json error (stderr)' : `oauthctl ${name} --json`
    files[schemaFileName(name)] = `${JSON.stringify({ ...z.toJSONSchema(schema), title }, null, 2)}\n`
  }
  return files
}
