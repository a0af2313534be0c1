/**
 * Issuing credentials, their status, their printed work cards, in /openapi.json.
 */
import { printableCardQuerySchema } from '@anxin/schemas';
import type { RouteDoc } from '../route-doc';

export const CREDENTIAL_ROUTES: RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/credentials',
    summary: 'Issue a credential: validate, sign, anchor; 201 once committed',
    tag: 'credentials',
    scope: 'issue',
    body: 'api-issue-credential',
    idempotent: true,
    ok: { status: 201, description: 'The credential, its digest and its anchor' },
  },
  {
    method: 'post',
    path: '/v1/nonce',
    summary:
      'A c_nonce (OpenID4VCI 1.0 Nonce Endpoint) for the proof of possession (holderProof) that binding a credential to holderPublicJwk needs',
    tag: 'credentials',
    scope: null,
    ok: { status: 200, description: 'The c_nonce (never cached)', schema: 'CNonce' },
  },
  {
    method: 'get',
    path: '/v1/credentials/{id}',
    summary: 'An issued credential (the issuer’s own only)',
    tag: 'credentials',
    scope: 'issue',
    ok: { status: 200, description: 'The stored credential record' },
  },
  {
    method: 'get',
    path: '/v1/credentials/{id}/card',
    summary:
      'A printable work card for a worker without a smartphone: chosen fields of an SD-JWT VC not bound to a device key, and a QR code with a short link and the card’s own secret, checked online by POST /v1/verify (?disclose=…&format=svg|png); each call prints a new card, named by the Anxin-Card-Id header',
    tag: 'credentials',
    scope: 'issue',
    query: printableCardQuerySchema,
    ok: {
      status: 200,
      description: 'An SVG card (105 × 148 mm), or with format=png the PNG of its QR code',
      mediaType: 'image/svg+xml',
    },
  },
  {
    method: 'post',
    path: '/v1/credentials/{id}/cards/{card}/revoke',
    summary: 'Withdraw a printed work card: its link no longer verifies (the credential stays as it is)',
    tag: 'credentials',
    scope: 'revoke',
    ok: { status: 200, description: '{ id, credentialId, revokedAt }' },
  },
  {
    method: 'post',
    path: '/v1/credentials/{id}/revoke',
    summary: 'Revoke a credential, for good',
    tag: 'credentials',
    scope: 'revoke',
    body: 'api-status-change',
    ok: { status: 200, description: 'New status, anchor, and recent verifiers to tell' },
  },
  {
    method: 'post',
    path: '/v1/credentials/{id}/suspend',
    summary: 'Suspend a credential',
    tag: 'credentials',
    scope: 'revoke',
    body: 'api-status-change',
    ok: { status: 200, description: 'New status, anchor, and recent verifiers to tell' },
  },
  {
    method: 'post',
    path: '/v1/credentials/{id}/reinstate',
    summary: 'Reinstate a suspended credential',
    tag: 'credentials',
    scope: 'revoke',
    body: 'api-status-change',
    ok: { status: 200, description: 'New status, anchor, and recent verifiers to tell' },
  },
  {
    method: 'get',
    path: '/v1/credentials/{id}/status',
    summary: 'Status, type, issuer, validity, anchor, and the renewal chain (replaces, replacedBy); no personal data',
    tag: 'credentials',
    scope: null,
    ok: { status: 200, description: 'The anchored status' },
  },
  {
    method: 'get',
    path: '/v1/credentials/{id}/verifiers',
    summary: 'Who verified this credential in the last 30 days',
    tag: 'credentials',
    scope: 'revoke',
    ok: { status: 200, description: 'Verifiers with their last check' },
  },
];
