import { z } from 'zod'

export const AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'tls_client_auth',
  'self_signed_tls_client_auth',
  'none',
] as const
export const STORAGE_KINDS = ['keychain', 'file', 'none'] as const
/** How client_secret_basic puts id and secret in the Basic header: RFC 6749 §2.3.1 form-encoded first, or as they are. */
export const BASIC_ENCODINGS = ['form', 'raw'] as const

export const AuthMethodSchema = z.enum(AUTH_METHODS)
export const StorageKindSchema = z.enum(STORAGE_KINDS)
export const BasicEncodingSchema = z.enum(BASIC_ENCODINGS)

const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })

export const EndpointsSchema = z
  .object({
    authorization: HttpUrl,
    token: HttpUrl,
    revocation: HttpUrl,
    introspection: HttpUrl,
    device: HttpUrl,
    registration: HttpUrl,
    userinfo: HttpUrl,
    jwks: HttpUrl,
    par: HttpUrl,
  })
  .partial()
  .strict()

/** What discovery said, kept with the profile so later commands need not fetch it again. */
export const DiscoverySchema = z.object({
  fetchedAt: z.iso.datetime(),
  /** Which well-known document answered. */
  source: z.enum(['openid-configuration', 'oauth-authorization-server']),
  metadata: z.record(z.string(), z.unknown()),
})

export const ProfileNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit')

export const ProfileSchema = z
  .object({
    /** A vendor of src/lib/vendors/registry.ts (checked where configs are read and written: this core schema knows no vendor). */
    provider: z.string().min(1).default('generic'),
    issuer: HttpUrl.optional(),
    endpoints: EndpointsSchema.default({}),
    discovery: DiscoverySchema.optional(),
    clientId: z.string().min(1).optional(),
    authMethod: AuthMethodSchema.optional(),
    /** client_secret_basic's encoding; default: the vendor preset's, else form (RFC 6749). */
    basicEncoding: BasicEncodingSchema.optional(),
    privateKeyPath: z.string().min(1).optional(),
    scopes: z.array(z.string().min(1)).default([]),
    audience: z.string().min(1).optional(),
    resource: HttpUrl.optional(),
    redirectPort: z.int().min(1).max(65535).optional(),
    /** Loopback redirect URI for login (http, 127.0.0.1, [::1] or localhost, any path); checked by login/redirect-uri.ts. */
    redirectUri: HttpUrl.optional(),
    params: z.record(z.string(), z.string()).default({}),
    region: z.string().min(1).optional(),
    host: z.string().min(1).optional(),
    /** Admin user name where an admin API takes Basic credentials (Nutanix). */
    username: z.string().min(1).optional(),
    storage: StorageKindSchema.optional(),
    /** Sender-constrain tokens with DPoP (RFC 9449); the key pair lives in secret storage. */
    dpop: z.boolean().optional(),
    /** Client certificate and key (PEM files) for mutual TLS (RFC 8705). */
    tlsCert: z.string().min(1).optional(),
    tlsKey: z.string().min(1).optional(),
  })
  .strict()

/** The user name `git-credential` answers with: one line (git's protocol is line-based), no control characters. */
export const GitUsernameSchema = z.string().regex(/^[^\u0000-\u001f\u007f]+$/, 'must be one line of text with no control characters')

export const ConfigSchema = z
  .object({
    version: z.literal(1).default(1),
    defaultProfile: z.string().optional(),
    profiles: z.record(ProfileNameSchema, ProfileSchema).default({}),
    /** git credential helper: the profile (and user name) that answers for a URL prefix, set by `oauthctl git-credential configure`. */
    gitCredential: z.record(z.string(), z.object({ profile: ProfileNameSchema, username: GitUsernameSchema.optional() }).strict()).optional(),
  })
  .strict()

export type AuthMethod = z.infer<typeof AuthMethodSchema>
export type StorageKind = z.infer<typeof StorageKindSchema>
export type BasicEncoding = z.infer<typeof BasicEncodingSchema>
export type Endpoints = z.infer<typeof EndpointsSchema>
export type Discovery = z.infer<typeof DiscoverySchema>
export type Profile = z.infer<typeof ProfileSchema>
export type ProfileInput = z.input<typeof ProfileSchema>
export type Config = z.infer<typeof ConfigSchema>
