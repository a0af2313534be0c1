/** The registrar's keys, in /openapi.json. */
import type { RouteDoc } from '../route-doc';

export const REGISTRAR_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/v1/registrar',
    summary: 'The registrar keys: who may register issuers and change their keys',
    tag: 'issuers',
    scope: null,
    ok: { status: 200, description: 'Every registrar key with its window (notBefore, retiredAt)' },
  },
  {
    method: 'post',
    path: '/v1/registrar/keys',
    summary: 'Rotate the registrar: add a key in custody, retire the signing one',
    tag: 'issuers',
    scope: 'admin',
    body: 'api-rotate-registrar',
    ok: { status: 201, description: 'The registrar keys after the rotation' },
  },
];
