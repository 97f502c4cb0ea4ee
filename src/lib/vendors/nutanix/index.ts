import type { Vendor } from '../types.js'
import { nutanixPreset } from './preset.js'

export const nutanix: Vendor = {
  ...nutanixPreset,
  provider: 'nutanix',
  label: 'Nutanix',
  fields: {
    host: { summary: 'the Prism Central address (or an origin URL)' },
    username: { summary: 'the admin user whose Basic credentials its v3 API takes' },
  },
  admin: { offers: ['list', 'get', 'create', 'update', 'delete'], open: async (ctx) => (await import('./admin.js')).nutanixBackend(ctx) },
}
