import type { AdminBackend, AdminContext, Operation } from '../admin/types.js'
import type { LoginFlowFn } from '../login/types.js'
import type { AdapterContext, ServerAdapter } from '../oauth/adapter.js'

/** What a vendor's hooks get (the standard client's adapter context). */
export type VendorContext = AdapterContext

/**
 * How a vendor's token API differs from the standard: the adapter hooks the standard client takes
 * (`preset.ts` of its folder), plus what a login and a new profile need from it.
 */
export interface VendorPreset extends ServerAdapter {
  /** Scopes when the profile names none: `profiles add` writes them into the profile, where `token get` and its fast path both see them. */
  defaultScopes?: string[]
  /** Replaces the browser code flow (`login`, `--flow code`) where the vendor logs in another way. */
  loginFlow?: LoginFlowFn
}

/** A profile field a vendor reads (`region`, `host`, `username`): the `profiles add` flag that sets it says what it is for this vendor. */
export interface VendorField {
  /** The flag's help, for this vendor (flags shared by vendors join their texts). */
  summary: string
  /** The values it knows (shell completion offers them); others may still be valid. */
  values?: readonly string[]
}

/** The profile fields vendors may add; one of these keys per field (the profile schema holds them). */
export type VendorFieldName = 'region' | 'host' | 'username'

/**
 * Everything about one vendor, from its folder's `index.ts`: its preset, the profile fields it
 * reads, and its client administration, loaded only when used. `src/lib/vendors/registry.ts`
 * lists them; the provider names, the `profiles add` vendor flags and the admin dispatch come from there.
 */
export interface Vendor extends VendorPreset {
  /** The profile's `provider` value. */
  provider: string
  /** How help and messages name it. */
  label: string
  /** Profile fields it reads beyond the standard ones. */
  fields?: Partial<Record<VendorFieldName, VendorField>>
  /** Its client administration (`clients`, `scopes`, `authorizations`). */
  admin?: VendorAdmin
}

export interface VendorAdmin {
  /** The operations its back end has (a test holds this to the back end itself): help, the README table and messages read it without loading the back end. */
  offers: readonly Operation[]
  /** The back end, loaded on first use. */
  open(ctx: AdminContext): Promise<AdminBackend>
}
