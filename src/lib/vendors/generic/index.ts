import type { Vendor } from '../types.js'

/** The standard: no preset (oauth4webapi as it is), client administration by RFC 7591/7592 dynamic registration. */
export const generic: Vendor = {
  provider: 'generic',
  label: 'RFC 7591/7592',
  admin: { offers: ['get', 'create', 'update', 'delete', 'rotateSecret'], open: async (ctx) => (await import('./admin.js')).rfc7591Backend(ctx) },
}
