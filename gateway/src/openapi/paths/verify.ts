/**
 * Verification, challenges and webhooks, in /openapi.json.
 */
import type { RouteDoc } from '../route-doc';

export const VERIFY_ROUTES: RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/verify',
    summary: 'Verify one credential (JWS, SD-JWT or QR text); always a report',
    tag: 'verify',
    scope: 'verify',
    body: 'api-verify',
    alsoAccepts: ['text/plain'],
    ok: { status: 200, description: 'The verification report', schema: 'VerificationReport' },
  },
  {
    method: 'post',
    path: '/v1/verify/batch',
    summary: 'Verify up to 1000 credentials',
    tag: 'verify',
    scope: 'verify',
    body: 'api-verify-batch',
    ok: {
      status: 200,
      description: 'A report (or an error entry) per credential and a summary',
      schema: 'VerifyBatchResponse',
    },
  },
  {
    method: 'post',
    path: '/v1/verify/challenges',
    summary:
      'A one-time challenge (nonce, aud) for a holder’s device to sign into its key-binding JWT; name its nonce as "challenge" in POST /v1/verify',
    tag: 'verify',
    scope: 'verify',
    ok: { status: 201, description: 'The challenge', schema: 'VerifierChallenge' },
  },
  {
    method: 'put',
    path: '/v1/webhook',
    summary:
      'Set where to be told when a credential you checked in the last 30 days changes status (a POST of a JWS signed by the gateway key, typ anxin-status+jwt)',
    tag: 'verify',
    scope: 'verify',
    body: 'api-webhook',
    ok: { status: 200, description: 'The webhook as set' },
  },
  {
    method: 'get',
    path: '/v1/webhook',
    summary: 'Your webhook and its latest deliveries',
    tag: 'verify',
    scope: 'verify',
    ok: { status: 200, description: 'The webhook (or null) and the latest notifications with their delivery state' },
  },
  {
    method: 'delete',
    path: '/v1/webhook',
    summary: 'Stop notifications',
    tag: 'verify',
    scope: 'verify',
    ok: { status: 204, description: 'Removed' },
  },
];
