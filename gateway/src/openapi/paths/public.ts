/**
 * Trust, the ledger, operations, schemas and the verifier page, in /openapi.json.
 */
import type { RouteDoc } from '../route-doc';

export const PUBLIC_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/v1/trust-list',
    summary: 'Signed list of issuers and keys, for offline verifiers',
    tag: 'trust',
    scope: null,
    ok: { status: 200, description: 'The trust list JWS and the key that signed it' },
  },
  {
    method: 'get',
    path: '/.well-known/jwks.json',
    summary: 'The gateway’s public signing keys',
    tag: 'trust',
    scope: null,
    ok: { status: 200, description: 'JWK set' },
  },
  {
    method: 'get',
    path: '/v1/ledger/info',
    summary: 'Ledger height and current block hash',
    tag: 'ledger',
    scope: null,
    ok: { status: 200, description: 'Ledger info' },
  },
  {
    method: 'get',
    path: '/v1/ledger/blocks/{n}',
    summary: 'A block as Fabric protobuf bytes, or decoded with ?format=json',
    tag: 'ledger',
    scope: null,
    ok: { status: 200, description: 'The block', mediaType: 'application/octet-stream' },
  },
  {
    method: 'get',
    path: '/healthz',
    summary: 'The process is alive',
    tag: 'operations',
    scope: null,
    ok: { status: 200, description: 'Alive' },
  },
  {
    method: 'get',
    path: '/readyz',
    summary: 'Ledger and store are reachable',
    tag: 'operations',
    scope: null,
    ok: { status: 200, description: 'Ready (503 when not)' },
  },
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    tag: 'operations',
    scope: null,
    ok: { status: 200, description: 'Metrics', mediaType: 'text/plain' },
  },
  {
    method: 'get',
    path: '/schemas/v1/{name}',
    summary: 'A published JSON Schema (credentialSchema ids resolve here)',
    tag: 'schemas',
    scope: null,
    ok: { status: 200, description: 'The schema', mediaType: 'application/schema+json' },
  },
  {
    method: 'get',
    path: '/verify',
    summary:
      'The verifier page: scan a work card QR code (or paste its text), green or red with reasons, 中文 / English',
    tag: 'verifier page',
    scope: null,
    ok: {
      status: 200,
      description: 'HTML page (it calls POST /v1/verify with the API key entered on it)',
      mediaType: 'text/html',
    },
  },
  {
    method: 'get',
    path: '/verify/{file}',
    summary:
      "The verifier page's script and style sheet (verify.js, verify.css), and the verification core as one ES module (verify-core.js)",
    tag: 'verifier page',
    scope: null,
    ok: { status: 200, description: 'JavaScript or CSS' },
  },
  {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    tag: 'operations',
    scope: null,
    ok: { status: 200, description: 'OpenAPI 3.1' },
  },
];
