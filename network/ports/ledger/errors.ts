/**
 * Ledger errors: one base with a stable `code`; both adapters map their failures here.
 */
import { parseRejection } from '@anxin/chaincode/rules';

export type LedgerErrorCode =
  /** The contract refused the transaction (endorsement failed); `reason` is its code. */
  | 'REJECTED'
  /** Committed, but invalidated: another transaction changed what this one read. */
  | 'MVCC_READ_CONFLICT'
  | 'PHANTOM_READ_CONFLICT'
  /** Committed but invalid for another reason (validation code in `validationCode`). */
  | 'INVALID'
  | 'TIMEOUT'
  | 'UNAVAILABLE'
  /**
   * A write of the ledger failed (a full disk, an I/O error) and left its block files and its
   * index disagreeing: it refuses every commit until it has repaired them — at the next
   * commit once the disk takes writes again, or when it is opened again.
   */
  | 'INCONSISTENT'
  | 'CLOSED';

export class LedgerError extends Error {
  constructor(
    readonly code: LedgerErrorCode,
    message: string,
    readonly txId?: string,
  ) {
    super(message);
    this.name = 'LedgerError';
  }
}

/** The contract said no. `reason` is the contract's stable rejection code (e.g. KEY_RETIRED). */
export class RejectedError extends LedgerError {
  constructor(
    readonly reason: string,
    readonly detail: string,
    txId?: string,
  ) {
    super('REJECTED', `${reason}: ${detail}`, txId);
    this.name = 'RejectedError';
  }
}

/** The reason of a RejectedError when the chaincode failed without a rejection of its own (e.g. an unknown function). */
export const CHAINCODE_ERROR = 'CHAINCODE_ERROR';

/**
 * The RejectedError a chaincode error message stands for: the contract's rejection when the
 * message carries one (see `parseRejection`), else CHAINCODE_ERROR with the message itself.
 */
export function rejectedFrom(message: string, txId?: string): RejectedError {
  const r = parseRejection(message);
  return r ? new RejectedError(r.code, r.detail, txId) : new RejectedError(CHAINCODE_ERROR, message, txId);
}

/** The transaction was ordered and committed, but marked invalid. */
export class CommitError extends LedgerError {
  constructor(
    code: 'MVCC_READ_CONFLICT' | 'PHANTOM_READ_CONFLICT' | 'INVALID',
    readonly validationCode: string,
    readonly block: number,
    txId: string,
  ) {
    super(code, `transaction ${txId} committed in block ${block} as ${validationCode}`, txId);
    this.name = 'CommitError';
  }
}

/** Whether retrying the same call may succeed (MVCC conflicts, transient unavailability). */
export function isRetryable(e: unknown): boolean {
  return e instanceof LedgerError && ['MVCC_READ_CONFLICT', 'PHANTOM_READ_CONFLICT', 'UNAVAILABLE'].includes(e.code);
}
