import { usageError } from '../errors.js'
import { VENDORS, vendorFor } from '../vendors/registry.js'
import { checkSpecFields, requireChanges, requireName } from '../admin/spec.js'
import type { AdminBackend, AdminClient, AdminContext, ClientSpec, CreateOptions, IssuedClient, Mutation, Operation } from '../admin/types.js'

/** An admin back end's edges, with the profile's own access token gotten the way `token get` gets one. */
export function withProfileToken(ctx: Omit<AdminContext, 'accessToken'>): AdminContext {
  return {
    ...ctx,
    accessToken: async () => {
      // Loaded here: most admin calls of a run never need it (Nutanix takes Basic credentials).
      const [{ getToken }, { DEFAULT_MIN_TTL_SECONDS }] = await Promise.all([import('./get-token.js'), import('../tokens/cache.js')])
      const options = { grant: 'auto', scopes: [], minTtl: DEFAULT_MIN_TTL_SECONDS, force: false, params: {} }
      const { token } = await getToken(options, { profileName: ctx.profileName, profile: ctx.profile, store: await ctx.store(), http: ctx.http, env: ctx.env, configDir: ctx.configDir, now: ctx.now })
      return token.access_token
    },
  }
}

/** The back end of the profile's vendor, loaded only when chosen; exit 2 for a vendor without one. */
export async function openBackend(ctx: AdminContext): Promise<AdminBackend> {
  const vendor = vendorFor(ctx.profile.provider)
  if (!vendor?.admin) {
    const offering = VENDORS.filter((v) => v.admin).map((v) => v.provider)
    throw usageError(`client administration is not available for provider ${ctx.profile.provider}`, {
      code: 'not_supported',
      hint: `it works with ${offering.slice(0, -1).join(', ')} and ${offering.at(-1)} profiles`,
    })
  }
  return vendor.admin.open(ctx)
}

const DOING: Record<Operation, string> = {
  list: 'list clients',
  get: 'read a client',
  create: 'create clients',
  update: 'update clients',
  delete: 'delete clients',
  rotateSecret: 'rotate client secrets',
  usage: 'report client usage',
  scopes: 'list OAuth scopes',
  authorizations: 'list OAuth authorizations',
}

/** Why a back end has no such operation, when it does not say: the vendors that offer it, if only some do. */
function whyMissing(op: Operation): string {
  const offering = VENDORS.filter((v) => v.admin?.offers.includes(op)).map((v) => v.label)
  if (offering.length === 0 || offering.length === VENDORS.filter((v) => v.admin).length) return 'its API has no such operation'
  return `only ${offering.join(' and ')} ${offering.length === 1 ? 'offers' : 'offer'} this`
}

/** The operation, or exit 2 saying why this back end has none: never a silent no-op. */
export function operation<K extends Operation>(backend: AdminBackend, op: K): NonNullable<AdminBackend[K]> {
  const found = backend[op]
  if (found) return found as NonNullable<AdminBackend[K]>
  const why = backend.lacks[op] ?? whyMissing(op)
  throw usageError(`${backend.label} cannot ${DOING[op]}: ${why}`, { code: 'not_supported' })
}

/** Checked in this order: the operation exists, the fields fit the back end, the name is there. */
export function planCreate(backend: AdminBackend, spec: ClientSpec, options: CreateOptions): Promise<Mutation<IssuedClient>> {
  const create = operation(backend, 'create')
  checkSpecFields(spec, backend.fields, backend.label)
  requireName(spec)
  return create(spec, options)
}

export function planUpdate(backend: AdminBackend, id: string, spec: ClientSpec): Promise<Mutation<AdminClient>> {
  const update = operation(backend, 'update')
  checkSpecFields(spec, backend.fields, backend.label)
  requireChanges(spec)
  return update(id, spec)
}
