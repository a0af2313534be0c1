/**
 * The projection of the ledger: each anchor's and issuer's current state, and how far
 * the ledger has been read. The ledger is the source of truth; every write here is an
 * upsert that an older change never overwrites, so replaying from a checkpoint repairs it.
 */
import type { IssuerRecord } from '@anxin/schemas';
import type { AnchorProjection } from '../../verify';
import type { StatusEntryRecord } from './status-entries';

/** The projection of one anchor: the verification core's type (verification reads it). */
export type { AnchorProjection };

export interface IssuerProjection {
  issuer: IssuerRecord;
  updatedBlock: number;
  updatedTx: number;
}

export interface Checkpoint {
  /** Next block to read, and the number of transactions of it already applied. */
  block: number;
  txIndex: number;
}

export interface ProjectionStore {
  /**
   * Upsert, unless the stored projection was changed at a later (block, tx); with `entry`, the
   * anchor's status list entry too (StatusEntryStore.putStatusEntry), in one transaction where
   * the store has them (one commit per projected anchor instead of two).
   */
  putAnchor(p: AnchorProjection, entry?: StatusEntryRecord): Promise<void>;
  getAnchor(id: string): Promise<AnchorProjection | undefined>;
  /**
   * An issuer's active, not renewed anchors whose validUntil is in [from, to), by validUntil
   * then id, after the cursor (the last (validUntil, id) of the previous page), at most `limit`.
   */
  expiringAnchors(
    issuer: string,
    from: string,
    to: string,
    limit: number,
    after?: { validUntil: string; id: string },
  ): Promise<AnchorProjection[]>;
  putIssuer(p: IssuerProjection): Promise<void>;
  getIssuer(id: string): Promise<IssuerProjection | undefined>;
  listIssuers(): Promise<IssuerProjection[]>;
  getCheckpoint(name: string): Promise<Checkpoint | undefined>;
  putCheckpoint(name: string, c: Checkpoint): Promise<void>;
}
