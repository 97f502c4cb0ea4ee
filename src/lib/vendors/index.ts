import type { Provider } from '../config/schema.js'
import type { Vendor } from './types.js'

export type { Vendor, VendorContext } from './types.js'

/** Registered vendor presets. `generic` has none: it is the standard. */
const VENDORS: readonly Vendor[] = []

export const vendorFor = (provider: Provider | undefined): Vendor | undefined => VENDORS.find((v) => v.provider === provider)
