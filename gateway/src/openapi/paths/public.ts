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
    path: '/v1/status-lists/{list}',
    summary:
      'A Token Status List (draft-ietf-oauth-status-list): 2 bits per entry (0 valid, 1 revoked, 2 suspended), ' +
      'signed by the issuer; what an SD-JWT VC’s status.status_list.uri names. Cacheable (ETag, Cache-Control)',
    tag: 'trust',
    scope: null,
    ok: { status: 200, description: 'The status list token (JWT)', mediaType: 'application/statuslist+jwt' },
  },
  {
    method: 'get',
    path: '/v1/status-lists/{list}/{purpose}',
    summary:
      'A W3C Bitstring Status List credential, purpose revocation or suspension, signed by the issuer; what a ' +
      'vc+jwt’s BitstringStatusListEntry names. Cacheable (ETag, Cache-Control)',
    tag: 'trust',
    scope: null,
    ok: { status: 200, description: 'The BitstringStatusListCredential (vc+jwt)', mediaType: 'application/vc+jwt' },
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
    summary:
      'Ready to serve: the store and the ledger answer, and the projection follows the ledger within the configured lag',
    tag: 'operations',
    scope: null,
    ok: {
      status: 200,
      description:
        'Ready (503 when not: a problem whose code is the first cause — store_unavailable, ledger_unavailable, projection_stopped, projection_stalled, projection_lagging — and whose causes member lists each)',
    },
  },
  {
    method: 'get',
    path: '/metrics',
    summary:
      'Prometheus metrics (ANXIN_METRICS_TOKEN: bearer token required; ANXIN_METRICS_PORT: served there instead)',
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
    path: '/c',
    summary:
      'Where a printed work card’s link lands: a redirect to the verifier page, the card’s reference kept in the fragment by the browser',
    tag: 'verifier page',
    scope: null,
    ok: { status: 302, description: 'Location: verify (beside /c)' },
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
    path: '/wallet',
    summary:
      "The worker's wallet: a phone web app that receives credentials (OpenID4VCI), keeps them on the phone and shows them (OpenID4VP or a QR code), 中文 / English",
    tag: 'wallet',
    scope: null,
    ok: { status: 200, description: 'HTML page', mediaType: 'text/html' },
  },
  {
    method: 'get',
    path: '/wallet/{asset}',
    summary:
      "The wallet's script and its parts, style sheet, web app manifest (manifest.webmanifest), icons and service worker (sw.js)",
    tag: 'wallet',
    scope: null,
    ok: { status: 200, description: 'JavaScript, CSS, manifest or image' },
  },
  {
    method: 'get',
    path: '/.well-known/jwt-vc-issuer/issuers/{slug}',
    summary:
      'JWT VC Issuer Metadata of the issuer <public url>/issuers/{slug}: every key it ever had (JWK Set), each with its ledger window',
    tag: 'discovery',
    scope: null,
    ok: {
      status: 200,
      description: '{ issuer, jwks: { keys } }; CORS for GET, cacheable',
      mediaType: 'application/json',
    },
  },
  {
    method: 'get',
    path: '/issuers/{slug}',
    summary: 'The issuer’s controlled-identifier document: its keys as verification methods <issuer url>#<key id>',
    tag: 'discovery',
    scope: null,
    ok: { status: 200, description: 'Controlled Identifiers 1.0 document', mediaType: 'application/cid' },
  },
  {
    method: 'get',
    path: '/issuers/{slug}/did.json',
    summary: 'The issuer’s did:web document (did:web:<host>:issuers:{slug}), the same keys',
    tag: 'discovery',
    scope: null,
    ok: { status: 200, description: 'DID document', mediaType: 'application/did+json' },
  },
  {
    method: 'get',
    path: '/contexts/anxin/v1',
    summary: 'Anxin’s JSON-LD context: every term of its credentials (vc+jwt list it in @context)',
    tag: 'discovery',
    scope: null,
    ok: { status: 200, description: 'JSON-LD context', mediaType: 'application/ld+json' },
  },
  {
    method: 'get',
    path: '/vct/v1/{type}',
    summary:
      'SD-JWT VC Type Metadata of a credential type (an SD-JWT VC’s vct): names and claim labels in zh-CN and en, its JSON Schema',
    tag: 'discovery',
    scope: null,
    ok: {
      status: 200,
      description: 'Type Metadata; its SRI hash is the credential’s vct#integrity',
      mediaType: 'application/json',
    },
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
