import type { Provider } from '../config/schema.js'
import { apimatic } from './apimatic.js'
import { genesys } from './genesys.js'
import { nutanix } from './nutanix.js'
import { persona } from './persona.js'
import { phonecom } from './phonecom.js'
import type { Vendor } from './types.js'

export type { Vendor, VendorContext } from './types.js'

/** Registered vendor presets. `generic` has none: it is the standard. */
const VENDORS: readonly Vendor[] = [phonecom, persona, apimatic, nutanix, genesys]

export const vendorFor = (provider: Provider | undefined): Vendor | undefined => VENDORS.find((v) => v.provider === provider)
