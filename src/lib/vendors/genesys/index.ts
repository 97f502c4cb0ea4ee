import type { Vendor } from '../types.js'
import { GENESYS_REGIONS, genesysPreset } from './preset.js'

export const genesys: Vendor = {
  ...genesysPreset,
  provider: 'genesys',
  label: 'Genesys Cloud',
  fields: { region: { summary: 'its region, e.g. mypurecloud.ie or usw2.pure.cloud (or an origin URL)', values: GENESYS_REGIONS } },
  admin: { offers: ['list', 'get', 'create', 'update', 'delete', 'rotateSecret', 'usage', 'scopes', 'authorizations'], open: async (ctx) => (await import('./admin.js')).genesysBackend(ctx) },
}
