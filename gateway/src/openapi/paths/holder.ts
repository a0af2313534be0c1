/**
 * The worker's receipts and the issuer's list of what expires soon, in /openapi.json.
 */
import { expiringQuerySchema } from '@anxin/schemas';
import type { RouteDoc } from '../route-doc';

export const HOLDER_ROUTES: RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/holder/challenge',
    summary:
      'A one-time challenge (nonce, aud, expiresAt) for a worker’s device key to sign into an anxin-holder+jwt; public, rate-limited',
    tag: 'holder',
    scope: null,
    ok: { status: 200, description: 'The challenge (never cached)' },
  },
  {
    method: 'post',
    path: '/v1/holder/receipts',
    summary:
      'Who verified the credentials bound to a device key: proof = a JWT signed by that key (typ anxin-holder+jwt, jwk in the header, aud, nonce from the challenge, iat); 401 holder_auth_failed with a code per rule',
    tag: 'holder',
    scope: null,
    body: 'api-holder-receipts',
    ok: {
      status: 200,
      description:
        'credentials: [{ id, type, issuer }]; receipts: [{ credentialId, type, issuer, verifier: { name }, checkedAt, verified, binding? }], newest first',
    },
  },
  {
    method: 'get',
    path: '/v1/credentials/expiring',
    summary:
      'Your active credentials, not renewed, whose validUntil falls within the window (?within=30d, 1d–365d), by validUntil, paged (?limit, ?after=next)',
    tag: 'credentials',
    scope: 'issue',
    query: expiringQuerySchema,
    ok: { status: 200, description: '{ within, from, to, credentials: [{ id, type, validUntil, status }], next? }' },
  },
];
