/**
 * OpenID4VP 1.0 presentation requests, in /openapi.json: the verifier's API, and the
 * protocol endpoints a wallet calls (request_uri, response_uri, the verifier DID document).
 */
import type { RouteDoc } from '../route-doc';

export const PRESENTATION_REQUEST_ROUTES: RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/presentation-requests',
    summary:
      'Ask a worker’s wallet (OpenID4VP 1.0, cross-device): a job preset or a DCQL query; answers the openid4vp:// link, the wallet link and its QR code (SVG)',
    tag: 'verify',
    scope: 'verify',
    body: 'api-create-presentation-request',
    ok: { status: 201, description: 'The request', schema: 'PresentationRequestCreated' },
  },
  {
    method: 'get',
    path: '/v1/presentation-requests/{request}',
    summary:
      'Your request: pending, or verified / failed with a verification report per credential (only the asked claims)',
    tag: 'verify',
    scope: 'verify',
    ok: { status: 200, description: 'Where the request stands', schema: 'PresentationRequestState' },
  },
  {
    method: 'get',
    path: '/oid4vp/requests/{request}',
    summary:
      'The request object (request_uri): a JWT, typ oauth-authz-req+jwt, signed by the gateway’s key under its did:web (client_id prefix decentralized_identifier)',
    tag: 'public',
    scope: null,
    ok: { status: 200, description: 'The signed request object', mediaType: 'application/oauth-authz-req+jwt' },
  },
  {
    method: 'post',
    path: '/oid4vp/responses/{request}',
    summary:
      'The wallet’s answer (response_uri, response_mode direct_post): form-encoded vp_token (JSON keyed by credential query id) and state; errors as OAuth’s { error: "invalid_request" }',
    tag: 'public',
    scope: null,
    alsoAccepts: ['application/x-www-form-urlencoded'],
    ok: { status: 200, description: 'Taken: {}' },
  },
  {
    method: 'get',
    path: '/verifier/did.json',
    summary: 'The DID document of the gateway’s verifier did:web: the keys its presentation requests are signed with',
    tag: 'public',
    scope: null,
    ok: { status: 200, description: 'A DID document', mediaType: 'application/did+json' },
  },
];
