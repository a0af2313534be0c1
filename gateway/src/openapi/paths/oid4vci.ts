/**
 * OpenID4VCI 1.0 (pre-authorized code flow with a PIN) in /openapi.json: the issuer's offers,
 * the metadata wallets read, the token and credential endpoints. The nonce endpoint is
 * POST /v1/nonce (paths/credentials.ts).
 */
import { offerQrQuerySchema } from '@anxin/schemas';
import type { RouteDoc } from '../route-doc';

export const OID4VCI_ROUTES: RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/credential-offers',
    summary:
      'Offer a credential to a worker’s wallet (OpenID4VCI pre-authorized code): the body of POST /v1/credentials ' +
      'without the holder key; answers the offer link for a QR code and a 6-digit PIN (txCode) to tell the worker ' +
      'apart from it. Issued and anchored when the wallet redeems it',
    tag: 'credentials',
    scope: 'issue',
    body: 'api-create-credential-offer',
    ok: {
      status: 201,
      description:
        '{ offerId, credential_offer_uri, link, walletLink, txCode, expiresAt, qr: { svg, png } } (the PIN is shown only here)',
    },
  },
  {
    method: 'get',
    path: '/v1/credential-offers/{id}',
    summary:
      'The Credential Offer (OpenID4VCI 1.0 §4.1.1) at its credential_offer_uri: issuer, configuration, grant; ' +
      'nothing personal. 404 once redeemed, expired or void',
    tag: 'credentials',
    scope: null,
    ok: { status: 200, description: 'The credential offer' },
  },
  {
    method: 'get',
    path: '/v1/credential-offers/{id}/qr',
    summary: 'The QR code of an open offer’s link (?format=svg|png); the issuer’s own offers only',
    tag: 'credentials',
    scope: 'issue',
    query: offerQrQuerySchema,
    ok: { status: 200, description: 'The QR code', mediaType: 'image/svg+xml' },
  },
  {
    method: 'post',
    path: '/v1/oid4vci/token',
    summary:
      'OpenID4VCI token endpoint (form-encoded grant_type=urn:ietf:params:oauth:grant-type:pre-authorized_code, ' +
      'pre-authorized_code, tx_code): a short-lived access token. Errors as RFC 6749 JSON (invalid_grant for a ' +
      'wrong PIN, with attempts_left; the fifth wrong PIN voids the offer); rate-limited per address',
    tag: 'credentials',
    scope: null,
    alsoAccepts: ['application/x-www-form-urlencoded'],
    ok: { status: 200, description: '{ access_token, token_type: Bearer, expires_in }' },
  },
  {
    method: 'post',
    path: '/v1/oid4vci/credential',
    summary:
      'OpenID4VCI credential endpoint (Bearer access token; { credential_configuration_id, proofs: { jwt: [ ' +
      'openid4vci-proof+jwt over a c_nonce ] } }): the offered credential as dc+sd-jwt bound to the proof’s key, ' +
      'anchored like POST /v1/credentials; a retry answers the same credential. Errors as OAuth JSON',
    tag: 'credentials',
    scope: null,
    ok: { status: 200, description: '{ credentials: [ { credential } ] }' },
  },
  {
    method: 'get',
    path: '/.well-known/openid-credential-issuer',
    summary: 'OpenID4VCI Credential Issuer Metadata: the endpoints and the configurations (dc+sd-jwt, vct) offered',
    tag: 'trust',
    scope: null,
    ok: { status: 200, description: 'Credential Issuer Metadata' },
  },
  {
    method: 'get',
    path: '/.well-known/oauth-authorization-server',
    summary: 'RFC 8414 authorization server metadata: the token endpoint of the pre-authorized code grant',
    tag: 'trust',
    scope: null,
    ok: { status: 200, description: 'Authorization server metadata' },
  },
];
