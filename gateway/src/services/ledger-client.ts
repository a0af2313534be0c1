/**
 * The gateway's view of the Ledger port: statements in, records out, and the ledger's
 * refusals translated into API errors with the contract's reason attached.
 */
import type { QueryFunction, StatementFunction } from '@anxin/chaincode/wire';
import type { AnchorRecord, IssuerRecord, RegistrarRecord } from '@anxin/schemas';
import { LedgerError, RejectedError, isRetryable, type Ledger, type SubmitResult } from '@anxin/network';
import { DomainError, type DomainErrorCode } from '../errors';

const REASON_TO_ERROR: Record<string, DomainErrorCode> = {
  ISSUER_EXISTS: 'issuer_exists',
  TYPE_NOT_ALLOWED: 'type_not_allowed',
  TYPE_NOT_FOR_KIND: 'type_not_for_kind',
  ISSUER_NOT_ACTIVE: 'issuer_not_active',
  INVALID_TRANSITION: 'invalid_transition',
  ANCHOR_NOT_FOUND: 'not_found',
  ISSUER_UNKNOWN: 'not_found',
  NOT_OWN_CREDENTIAL: 'forbidden',
  ANCHOR_EXISTS: 'conflict',
  KEY_EXISTS: 'conflict',
  REPLACED_NOT_FOUND: 'not_found',
  REPLACES_MISMATCH: 'replaces_mismatch',
  ALREADY_REPLACED: 'already_replaced',
};

export interface Committed<R> {
  record: R;
  txId: string;
  block: number;
  txIndex: number;
  timestamp: Date;
}

const MAX_ATTEMPTS = 3;

export function toDomainError(e: unknown): DomainError {
  if (e instanceof DomainError) return e;
  if (e instanceof RejectedError) {
    return new DomainError(REASON_TO_ERROR[e.reason] ?? 'ledger_rejected', e.detail || e.reason, { reason: e.reason });
  }
  if (e instanceof LedgerError) return new DomainError('ledger_unavailable', `${e.code}: ${e.message}`);
  throw e;
}

/** Told how long each submission took to be committed, or refused: `outcome` is 'committed' or the LedgerError code, lower case. */
export type CommitObserver = (fn: StatementFunction, seconds: number, outcome: string) => void;

export class LedgerClient {
  constructor(
    readonly ledger: Ledger,
    private readonly observe: CommitObserver = () => undefined,
  ) {}

  /**
   * Submit a statement; resolves once committed VALID. An MVCC conflict means the
   * statement was not applied (its writes, its replay mark included, were dropped), so
   * the same statement is submitted again, a bounded number of times.
   */
  async submit<R>(fn: StatementFunction, arg: string): Promise<Committed<R>> {
    for (let attempt = 1; ; attempt++) {
      const start = process.hrtime.bigint();
      const took = () => Number(process.hrtime.bigint() - start) / 1e9;
      try {
        const r: SubmitResult = await this.ledger.submit(fn, [arg]);
        this.observe(fn, took(), 'committed');
        return {
          record: JSON.parse(Buffer.from(r.result).toString('utf8')) as R,
          txId: r.txId,
          block: r.block,
          txIndex: r.txIndex,
          timestamp: r.timestamp,
        };
      } catch (e) {
        this.observe(fn, took(), e instanceof LedgerError ? e.code.toLowerCase() : 'error');
        if (attempt < MAX_ATTEMPTS && isRetryable(e)) continue;
        throw toDomainError(e);
      }
    }
  }

  private async read<T>(fn: QueryFunction, args: string[], absent: string[]): Promise<T | undefined> {
    try {
      return JSON.parse(Buffer.from(await this.ledger.evaluate(fn, args)).toString('utf8')) as T;
    } catch (e) {
      if (e instanceof RejectedError && absent.includes(e.reason)) return undefined;
      throw toDomainError(e);
    }
  }

  getAnchor(id: string): Promise<AnchorRecord | undefined> {
    return this.read('getAnchor', [id], ['ANCHOR_NOT_FOUND']);
  }

  getIssuer(id: string): Promise<IssuerRecord | undefined> {
    return this.read('getIssuer', [id], ['ISSUER_UNKNOWN']);
  }

  getRegistrar(): Promise<RegistrarRecord | undefined> {
    return this.read('getRegistrar', [], ['NOT_INITIALISED']);
  }
}
