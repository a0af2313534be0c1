/**
 * One operation of the API as /openapi.json lists it: the table the document is made from,
 * and which a test checks against the routes the app serves.
 */
import type { ResponseSchema } from './responses';

/** An operation: its method and path, who may call it, its body and its answer. */
export interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path, e.g. /v1/issuers/{id} */
  path: string;
  summary: string;
  tag: string;
  /** Scope needed, or null for public routes. */
  scope: 'admin' | 'issue' | 'revoke' | 'verify' | null;
  body?: string;
  /** Query parameters: the properties of this schema (one object, strings). */
  query?: { $id: string; properties: Record<string, object>; required?: readonly string[] };
  /** Extra media types accepted for the body. */
  alsoAccepts?: string[];
  /** The answer; `schema` names a component of this document that describes its body. */
  ok: { status: number; description: string; mediaType?: string; schema?: ResponseSchema };
  idempotent?: boolean;
}
