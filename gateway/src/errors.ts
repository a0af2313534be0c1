/**
 * The gateway's errors: one base, `AnxinError`, with a stable `code`; each subclass narrows
 * the code to its own union and carries its data (`ConfigError.variable`,
 * `WorkCardError.kind`, `DomainError.extra`). Services throw them and know nothing of HTTP:
 * the HTTP layer alone maps a code to a status and an RFC 9457 problem document
 * (`http/problem-types.ts`). Codes are never renamed once published; tests assert codes,
 * never message text.
 *
 * The subclasses: `DomainError` (a use case refuses a request: codes published in problem
 * documents), `HttpError` (the request as HTTP is wrong: `http/problem-types.ts`),
 * `ConfigError` (`config.ts`), `KekError` (`crypto/kek.ts`), `StartupError`
 * (`services/data-identity.ts`), `WorkCardError`
 * (`services/workcard/present.ts`).
 */

/**
 * The base of every error the gateway throws on purpose: a code a program can branch on,
 * and a message for people.
 *
 * @example
 * if (e instanceof AnxinError) log.warn({ code: e.code }, e.message);
 */
export abstract class AnxinError<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Why a use case refused a request: the `code` of the problem document it becomes. */
export type DomainErrorCode =
  | 'validation_failed'
  | 'type_not_for_kind'
  | 'subject_issuer_mismatch'
  | 'holder_proof_invalid'
  | 'holder_auth_failed'
  | 'forbidden'
  | 'type_not_allowed'
  | 'issuer_not_active'
  | 'not_found'
  | 'conflict'
  | 'issuer_exists'
  | 'invalid_transition'
  | 'replaces_mismatch'
  | 'already_replaced'
  | 'request_in_progress'
  | 'no_signing_key'
  | 'card_unavailable'
  | 'card_unknown'
  | 'card_revoked'
  | 'idempotency_key_reused'
  | 'ledger_rejected'
  | 'ledger_unavailable'
  | 'store_unavailable'
  | 'projection_stopped'
  | 'projection_stalled'
  | 'projection_lagging'
  | 'registrar_key_missing';

/** One failing member of a request: a JSON Pointer, a code, and what is wrong. */
export interface FieldIssue {
  field: string;
  code: string;
  message: string;
}

/** What a refusal carries besides its code. */
export interface DomainErrorData {
  /** The failing members (validation_failed, holder_proof_invalid). */
  errors?: FieldIssue[];
  /** The ledger contract's own reason code, when the ledger refused. */
  reason?: string;
  /** Seconds after which the same request may succeed (request_in_progress, store_unavailable). */
  retryAfter?: number;
  /** Further members of the problem document: the numbers behind it (e.g. readiness's causes). */
  members?: Record<string, unknown>;
  /**
   * The credential whose anchor the ledger committed although the request failed after
   * (store_unavailable): the client is told it exists, and a retry with the same
   * Idempotency-Key answers it.
   */
  anchored?: { id: string; txId: string; block: number; anchoredAt: string };
}

/**
 * A use case refuses the request: the issuer is not active, the credential is not found,
 * the body does not match its schema, the ledger refused or is unavailable.
 *
 * @example
 * if (!anchor) throw new DomainError('not_found', `credential ${id} is not anchored`);
 * throw new DomainError('validation_failed', issues[0].message, { errors: issues });
 */
export class DomainError extends AnxinError<DomainErrorCode> {
  constructor(
    code: DomainErrorCode,
    /** For people; shown as the problem's `detail`. */
    readonly detail?: string,
    readonly extra: DomainErrorData = {},
  ) {
    super(code, detail ?? code);
  }
}
