import type { Vendor } from '../types.js'
import { apimaticPreset } from './preset.js'

export const apimatic: Vendor = {
  ...apimaticPreset,
  provider: 'apimatic',
  label: 'APIMatic-style servers',
  fields: { host: { summary: 'the API server (or an origin URL)' } },
}
