/**
 * RFC 9457 problem types: each code a request can fail with, its HTTP status and its title.
 * This table is the one place a code meets HTTP — services throw `DomainError`s, the HTTP
 * layer throws `HttpError`s, and both become problem documents through it. The codes are
 * published (the `code` of every problem, the `type` URL's last segment, the OpenAPI
 * document's enum, in this order): never renamed.
 */
import { AnxinError, type DomainErrorCode } from '../errors';

/** Why a request fails as HTTP, before or around any use case. */
export type HttpErrorCode =
  | 'bad_request'
  | 'invalid_json'
  | 'body_required'
  | 'malformed_body'
  | 'malformed_path'
  | 'unauthorized'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'internal'
  | 'not_ready';

/** What an HTTP-level failure carries besides its code. */
export interface HttpErrorData {
  /** Seconds until the request may be sent again (rate_limited). */
  retryAfter?: number;
}

/**
 * The request as HTTP is wrong: its body does not parse, its media type or size is refused,
 * its key is missing, its budget spent. Thrown by the HTTP layer (http/, routes/) only.
 *
 * @example
 * throw new HttpError('unsupported_media_type', 'send application/json or text/plain');
 */
export class HttpError extends AnxinError<HttpErrorCode> {
  constructor(
    code: HttpErrorCode,
    readonly detail?: string,
    readonly extra: HttpErrorData = {},
  ) {
    super(code, detail ?? code);
  }
}

/** Every code a problem document may carry. */
export type ProblemCode = DomainErrorCode | HttpErrorCode;

export interface ProblemType {
  status: number;
  title: string;
}

export const PROBLEM_TYPE_BASE = 'https://anxin.dev/problems/';

/** Each code's status and title (titles never vary with the occurrence: RFC 9457 §3.1.3). */
export const PROBLEM_TYPES = {
  bad_request: { status: 400, title: 'Bad request' },
  invalid_json: { status: 400, title: 'The body is not valid JSON' },
  validation_failed: { status: 400, title: 'The request does not match its schema' },
  body_required: { status: 400, title: 'A request body is required' },
  type_not_for_kind: { status: 400, title: 'An issuer of this kind may never issue this credential type' },
  subject_issuer_mismatch: { status: 400, title: 'The subject does not name its issuer' },
  malformed_body: { status: 400, title: 'The body cannot be read as sent' },
  malformed_path: { status: 400, title: 'The path is not valid percent-encoded UTF-8' },
  holder_proof_invalid: { status: 400, title: 'The proof of holding holderPublicJwk does not hold' },
  unauthorized: { status: 401, title: 'Missing or unknown API key' },
  holder_auth_failed: { status: 401, title: 'The device key’s proof does not hold' },
  forbidden: { status: 403, title: 'The API key lacks the scope or ownership this needs' },
  type_not_allowed: { status: 403, title: 'The issuer may not issue this credential type' },
  issuer_not_active: { status: 403, title: 'The issuer is not active' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  issuer_exists: { status: 409, title: 'An issuer with this id exists' },
  invalid_transition: { status: 409, title: 'The status change is not allowed from the current status' },
  replaces_mismatch: {
    status: 409,
    title: 'The credential named in replaces is not of this type or not for this holder',
  },
  already_replaced: { status: 409, title: 'The credential named in replaces was renewed already' },
  request_in_progress: { status: 409, title: 'A request with this Idempotency-Key is still in progress' },
  no_signing_key: { status: 409, title: 'The issuer has no usable signing key in custody' },
  card_unavailable: { status: 409, title: 'This credential cannot be printed as a work card' },
  card_unknown: { status: 404, title: 'No printed work card has this link' },
  card_revoked: { status: 410, title: 'The issuer has withdrawn this printed work card' },
  idempotency_key_reused: { status: 422, title: 'The Idempotency-Key was used for a different request' },
  ledger_rejected: { status: 422, title: 'The ledger refused the change' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
  ledger_unavailable: { status: 503, title: 'The ledger is unavailable' },
  not_ready: { status: 503, title: 'Not ready' },
  store_unavailable: { status: 503, title: 'The store is unavailable' },
  projection_stopped: { status: 503, title: 'The projection has stopped following the ledger' },
  projection_stalled: { status: 503, title: 'The projection is held at a change it cannot finish' },
  projection_lagging: { status: 503, title: 'The projection is too far behind the ledger' },
  registrar_key_missing: { status: 409, title: 'This gateway holds no registrar key the ledger accepts now' },
} as const satisfies Record<ProblemCode, ProblemType>;

/** The codes in their published order. */
export const PROBLEM_CODES = Object.keys(PROBLEM_TYPES) as ProblemCode[];
