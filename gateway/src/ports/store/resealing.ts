/**
 * Re-sealing: every record the store keeps sealed, listed page by page, and its sealed
 * value replaced on its own (compare-and-set), so a KEK rotation can move records one at a
 * time without ever overwriting a change made meanwhile.
 */
import type { Sealed } from './sealed';

/** The records that hold a sealed value: custodial private keys (by kid) and issued credentials (by id). */
export type SealedKind = 'custodial_key' | 'credential';

export interface SealedEntry {
  kind: SealedKind;
  /** The record's id: a custodial key's kid, a credential's id (also the seal's additional data). */
  id: string;
  sealed: Sealed;
}

export interface ResealStore {
  /** Up to `limit` records of `kind`, ordered by id, with ids after `after` (all of them when absent). */
  listSealed(kind: SealedKind, after: string | undefined, limit: number): Promise<SealedEntry[]>;
  /**
   * Replace the sealed value of one record when it is still `expected` (same ciphertext).
   * Resolves to false, writing nothing, when the record changed meanwhile or is gone.
   */
  replaceSealed(kind: SealedKind, id: string, expected: Sealed, next: Sealed): Promise<boolean>;
}
