import { z } from 'zod'
import { type Endpoints, type Profile, ProfileSchema } from '../config/schema.js'
import type { HttpClient } from '../http/client.js'
import { effectiveEndpoints } from '../oauth/endpoints.js'
import { OAuthSession, type SessionOptions } from '../oauth/session.js'
import type { ClientSecret } from '../secrets.js'
import { apimatic } from './apimatic/index.js'
import { generic } from './generic/index.js'
import { genesys } from './genesys/index.js'
import { nutanix } from './nutanix/index.js'
import { persona } from './persona/index.js'
import { phonecom } from './phonecom/index.js'
import type { Vendor, VendorField, VendorFieldName } from './types.js'

export type { Vendor, VendorContext } from './types.js'

/** Every provider a profile can name, one line each; `generic` first: it is the default and the standard. */
export const VENDORS: readonly Vendor[] = [generic, genesys, nutanix, phonecom, persona, apimatic]

export const PROVIDERS = VENDORS.map((v) => v.provider)

/** A provider name the registry knows: what a profile's `provider` must be. */
const ProviderSchema = z.enum(PROVIDERS as [string, ...string[]], { error: `must be one of ${PROVIDERS.join(', ')}` })

/** The profile schema with its provider one the registry knows (the core schema cannot know vendors). */
export const KnownProfileSchema = ProfileSchema.superRefine((profile, ctx) => {
  const known = ProviderSchema.safeParse(profile.provider)
  if (!known.success) ctx.addIssue({ code: 'custom', path: ['provider'], message: known.error.issues[0]?.message ?? 'unknown provider' })
})

export const vendorFor = (provider: string | undefined): Vendor | undefined => VENDORS.find((v) => v.provider === (provider ?? 'generic'))

/** Each vendor profile field with the vendors that read it: what `profiles add` offers as flags. */
export function vendorFields(): Map<VendorFieldName, ({ vendor: Vendor } & VendorField)[]> {
  const fields = new Map<VendorFieldName, ({ vendor: Vendor } & VendorField)[]>()
  for (const vendor of VENDORS) {
    for (const [name, field] of Object.entries(vendor.fields ?? {}) as [VendorFieldName, VendorField][]) {
      fields.set(name, [...(fields.get(name) ?? []), { vendor, ...field }])
    }
  }
  return fields
}

/** The profile's effective endpoints: explicit, else discovered, else what its vendor's preset implies. */
export function profileEndpoints(profile: EndpointProfile): Endpoints {
  return effectiveEndpoints(profile, vendorFor(profile.provider)?.endpoints?.(profile as Profile))
}

type EndpointProfile = Parameters<typeof effectiveEndpoints>[0]

/** The standard client for a profile, adapted by its vendor: the one place where a vendor meets the protocol core. */
export function sessionFor(profile: Profile, http: HttpClient, secret: ClientSecret | undefined, options: Omit<SessionOptions, 'adapter'> = {}): OAuthSession {
  return new OAuthSession(profile, http, secret, { ...options, adapter: vendorFor(profile.provider) })
}
