/**
 * The issuer registry and API keys, in /openapi.json.
 */
import type { RouteDoc } from '../route-doc';

export const ISSUER_ROUTES: RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/issuers',
    summary: 'Register an issuer (with its first key and an API key)',
    tag: 'issuers',
    scope: 'admin',
    body: 'api-create-issuer',
    ok: { status: 201, description: 'The issuer as registered on the ledger, and its API key (shown once)' },
  },
  {
    method: 'get',
    path: '/v1/issuers',
    summary: 'The issuer registry',
    tag: 'issuers',
    scope: null,
    ok: { status: 200, description: 'Every issuer with keys, status and allowed types' },
  },
  {
    method: 'get',
    path: '/v1/issuers/{id}',
    summary: 'One issuer',
    tag: 'issuers',
    scope: null,
    ok: { status: 200, description: 'The issuer' },
  },
  {
    method: 'patch',
    path: '/v1/issuers/{id}',
    summary: 'Rename, change allowed types, suspend or revoke an issuer',
    tag: 'issuers',
    scope: 'admin',
    body: 'api-update-issuer',
    ok: { status: 200, description: 'The issuer after the change' },
  },
  {
    method: 'post',
    path: '/v1/issuers/{id}/keys',
    summary: 'Rotate: add a key, retire the old ones',
    tag: 'issuers',
    scope: 'admin',
    body: 'api-rotate-key',
    ok: { status: 201, description: 'The issuer with its new key' },
  },
  {
    method: 'post',
    path: '/v1/issuers/{id}/keys/{keyId}/compromised',
    summary: 'Declare a key compromised since an instant',
    tag: 'issuers',
    scope: 'admin',
    body: 'api-key-compromised',
    ok: { status: 200, description: 'The issuer after the change' },
  },
  {
    method: 'post',
    path: '/v1/api-keys',
    summary: 'Create an API key for a principal',
    tag: 'api-keys',
    scope: 'admin',
    body: 'api-create-api-key',
    ok: { status: 201, description: 'The key (shown once) and its id' },
  },
  {
    method: 'get',
    path: '/v1/api-keys',
    summary: 'List API keys (never the keys themselves)',
    tag: 'api-keys',
    scope: 'admin',
    ok: { status: 200, description: 'API key records' },
  },
  {
    method: 'delete',
    path: '/v1/api-keys/{id}',
    summary: 'Revoke an API key',
    tag: 'api-keys',
    scope: 'admin',
    ok: { status: 204, description: 'Revoked' },
  },
];
