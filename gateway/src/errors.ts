/**
 * The gateway's errors: one base with a stable `code`; each code has one HTTP status.
 * Codes are never renamed once published. One middleware turns them into RFC 9457
 * problem+json.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  invalid_json: 400,
  validation_failed: 400,
  body_required: 400,
  type_not_for_kind: 400,
  subject_issuer_mismatch: 400,
  malformed_body: 400,
  malformed_path: 400,
  holder_proof_invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  type_not_allowed: 403,
  issuer_not_active: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  issuer_exists: 409,
  invalid_transition: 409,
  request_in_progress: 409,
  no_signing_key: 409,
  card_unavailable: 409,
  idempotency_key_reused: 422,
  ledger_rejected: 422,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  ledger_unavailable: 503,
  not_ready: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_TITLES: Record<ErrorCode, string> = {
  bad_request: 'Bad request',
  invalid_json: 'The body is not valid JSON',
  validation_failed: 'The request does not match its schema',
  body_required: 'A request body is required',
  type_not_for_kind: 'An issuer of this kind may never issue this credential type',
  subject_issuer_mismatch: 'The subject does not name its issuer',
  malformed_body: 'The body cannot be read as sent',
  malformed_path: 'The path is not valid percent-encoded UTF-8',
  holder_proof_invalid: 'The proof of holding holderPublicJwk does not hold',
  unauthorized: 'Missing or unknown API key',
  forbidden: 'The API key lacks the scope or ownership this needs',
  type_not_allowed: 'The issuer may not issue this credential type',
  issuer_not_active: 'The issuer is not active',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  conflict: 'Conflict',
  issuer_exists: 'An issuer with this id exists',
  invalid_transition: 'The status change is not allowed from the current status',
  request_in_progress: 'A request with this Idempotency-Key is still in progress',
  no_signing_key: 'The issuer has no usable signing key in custody',
  card_unavailable: 'This credential cannot be printed as a work card',
  idempotency_key_reused: 'The Idempotency-Key was used for a different request',
  ledger_rejected: 'The ledger refused the change',
  payload_too_large: 'The request body is too large',
  unsupported_media_type: 'Unsupported media type',
  rate_limited: 'Too many requests',
  internal: 'Internal error',
  ledger_unavailable: 'The ledger is unavailable',
  not_ready: 'Not ready',
};

export interface FieldIssue {
  field: string;
  code: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly extra: { errors?: FieldIssue[]; reason?: string; retryAfter?: number } = {},
  ) {
    super(detail ?? ERROR_TITLES[code]);
    this.name = 'ApiError';
    this.status = ERROR_STATUS[code];
  }
}
