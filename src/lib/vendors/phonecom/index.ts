import type { Vendor } from '../types.js'
import { phonecomPreset } from './preset.js'

export const phonecom: Vendor = {
  ...phonecomPreset,
  provider: 'phonecom',
  label: 'phone.com',
  admin: { offers: ['list', 'get', 'update', 'delete'], open: async (ctx) => (await import('./admin.js')).phonecomBackend(ctx) },
}
