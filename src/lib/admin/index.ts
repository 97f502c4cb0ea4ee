import { usageError } from '../errors.js'
import { checkSpecFields, requireChanges, requireName } from './spec.js'
import type { AdminBackend, AdminClient, AdminContext, ClientSpec, CreateOptions, IssuedClient, Mutation, Operation } from './types.js'

/** The back end for the profile's provider; each is loaded only when chosen. */
export async function openBackend(ctx: AdminContext): Promise<AdminBackend> {
  const provider = ctx.profile.provider
  switch (provider) {
    case 'generic':
      return (await import('./rfc7591.js')).rfc7591Backend(ctx)
    case 'genesys':
      return (await import('./genesys.js')).genesysBackend(ctx)
    case 'nutanix':
      return (await import('./nutanix.js')).nutanixBackend(ctx)
    case 'phonecom':
      return (await import('./phonecom.js')).phonecomBackend(ctx)
    default:
      throw usageError(`client administration is not available for provider ${provider}`, {
        code: 'not_supported',
        hint: 'it works with generic (RFC 7591/7592), genesys, nutanix and phonecom profiles',
      })
  }
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

const GENESYS_ONLY = new Set<Operation>(['usage', 'scopes', 'authorizations'])

/** The operation, or exit 2 saying why this back end has none: never a silent no-op. */
export function operation<K extends Operation>(backend: AdminBackend, op: K): NonNullable<AdminBackend[K]> {
  const found = backend[op]
  if (found) return found as NonNullable<AdminBackend[K]>
  const why = backend.lacks[op] ?? (GENESYS_ONLY.has(op) ? 'only Genesys Cloud offers this' : 'its API has no such operation')
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
