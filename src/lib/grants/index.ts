import { clientCredentialsGrant } from './client-credentials.js'
import { refreshTokenGrant } from './refresh-token.js'
import type { Grant } from './types.js'

export type { Grant, GrantRequest } from './types.js'

/** Registered grants, in the order `--grant auto` tries them after the cache. */
export const GRANTS: readonly Grant[] = [refreshTokenGrant, clientCredentialsGrant]

export const grantNames = () => ['auto', ...GRANTS.map((g) => g.name)]

export const findGrant = (name: string) => GRANTS.find((g) => g.name === name)
