/**
 * The ledger's record of one anchored credential, as the gateway projects it from the
 * ledger's blocks and as verification reads it: what was anchored (digest, issuer, type,
 * key, validity window), when and where, and its status since.
 */
import type { AnchorStatus, CredentialType, StatusReason } from '@anxin/schemas';

/** The projection of one anchor: its ledger record plus where it was last changed. */
export interface AnchorProjection {
  id: string;
  type: CredentialType;
  issuer: string;
  kid: string;
  digest: string;
  holderRef: string;
  validFrom: string;
  validUntil?: string;
  status: AnchorStatus;
  statusReason?: StatusReason;
  /** The credential this one renews, and the one that renews it: the ledger links both. */
  replaces?: string;
  replacedBy?: string;
  anchoredAt: string;
  txId: string;
  /** Block of the anchoring transaction. */
  block: number;
  updatedAt: string;
  /** Block and transaction index of the last change applied: an older change never overwrites a newer one. */
  updatedBlock: number;
  updatedTx: number;
}
