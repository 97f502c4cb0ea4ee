import { Flags, type Interfaces } from '@oclif/core'
import { vendorFields } from '../lib/vendors/registry.js'
import type { VendorFieldName } from '../lib/vendors/types.js'

/** `profiles add` flags for the profile fields vendors read (`--region`, `--host`, `--username`), each saying what it is for which vendor. */
export function vendorFieldFlags(): Record<VendorFieldName, Interfaces.OptionFlag<string | undefined>> {
  return Object.fromEntries(
    [...vendorFields()].map(([name, users]) => [name, Flags.string({ summary: `${users.map(({ vendor, summary }) => `${vendor.label}: ${summary}`).join('; ')}.` })]),
  ) as Record<VendorFieldName, Interfaces.OptionFlag<string | undefined>>
}
