/**
 * Every operation of the API, in the order /openapi.json lists them. A test checks this
 * table against the routes the app actually serves.
 */
import { CREDENTIAL_ROUTES } from './paths/credentials';
import { ISSUER_ROUTES } from './paths/issuers';
import { REGISTRAR_ROUTES } from './paths/registrar';
import { PUBLIC_ROUTES } from './paths/public';
import { VERIFY_ROUTES } from './paths/verify';
import { PRESENTATION_REQUEST_ROUTES } from './paths/presentation-requests';
import { OID4VCI_ROUTES } from './paths/oid4vci';
import { HOLDER_ROUTES } from './paths/holder';
import type { RouteDoc } from './route-doc';

export type { RouteDoc };

export const ROUTES: RouteDoc[] = [
  ...ISSUER_ROUTES,
  ...REGISTRAR_ROUTES,
  ...CREDENTIAL_ROUTES,
  ...OID4VCI_ROUTES,
  ...VERIFY_ROUTES,
  ...PUBLIC_ROUTES,
  ...PRESENTATION_REQUEST_ROUTES,
  ...HOLDER_ROUTES,
];
