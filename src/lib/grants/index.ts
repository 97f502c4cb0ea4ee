import { clientCredentialsGrant } from './client-credentials.js'
import { jwtBearerGrant } from './jwt-bearer.js'
import { passwordGrant } from './password.js'
import { refreshTokenGrant } from './refresh-token.js'
import { saml2BearerGrant } from './saml2-bearer.js'
import { tokenExchangeGrant } from './token-exchange.js'
import type { Grant } from './types.js'

export type { Grant, GrantInputs, GrantRequest } from './types.js'

/** Registered grants; `--grant auto` tries the `auto` ones in this order after the cache. */
export const GRANTS: readonly Grant[] = [refreshTokenGrant, clientCredentialsGrant, passwordGrant, tokenExchangeGrant, jwtBearerGrant, saml2BearerGrant]

export const grantNames = () => ['auto', ...GRANTS.map((g) => g.name)]

export const findGrant = (name: string) => GRANTS.find((g) => g.name === name)
