import { usageError } from '../errors.js'
import type { Grant } from './types.js'

/**
 * RFC 7522 §2.1: the assertion travels base64url-encoded. A file that holds the SAML XML itself is
 * encoded here; anything else is taken as already encoded.
 */
export const samlAssertionParameter = (assertion: string): string =>
  assertion.trimStart().startsWith('<') ? Buffer.from(assertion, 'utf8').toString('base64url') : assertion

/**
 * RFC 7522: a SAML 2.0 assertion from an identity provider as the authorization grant
 * (--assertion-file), with the organisation name vendors ask for alongside it (Genesys Cloud
 * `orgName`, from --org-name).
 */
export const saml2BearerGrant: Grant = {
  name: 'saml2_bearer',
  auto: false,
  stored: true,
  usableFor: ({ inputs }) => Boolean(inputs.assertion),
  request: ({ session, parameters, inputs }) => {
    if (!inputs.assertion) throw usageError('saml2_bearer needs the SAML assertion: --assertion-file FILE', { code: 'missing_assertion' })
    const params = new URLSearchParams(parameters)
    params.set('assertion', samlAssertionParameter(inputs.assertion))
    if (inputs.orgName) params.set('orgName', inputs.orgName)
    return session.grant('urn:ietf:params:oauth:grant-type:saml2-bearer', params)
  },
}
