import type { AnchorRecord } from '@anxin/schemas';
import type { AnchorProjection } from '../ports/store';

/**
 * An anchor as the store projects it: the ledger record, the block that anchored it, and
 * the (block, tx) of the change it reflects. -1 where a position is unknown.
 */
export function anchorProjection(
  a: AnchorRecord,
  block: number,
  updated: { block: number; tx: number },
): AnchorProjection {
  return {
    id: a.id,
    type: a.type,
    issuer: a.issuer,
    kid: a.kid,
    digest: a.digest,
    holderRef: a.holderRef,
    validFrom: a.validFrom,
    ...(a.validUntil ? { validUntil: a.validUntil } : {}),
    status: a.status,
    ...(a.statusReason ? { statusReason: a.statusReason } : {}),
    ...(a.replaces ? { replaces: a.replaces } : {}),
    ...(a.replacedBy ? { replacedBy: a.replacedBy } : {}),
    anchoredAt: a.anchoredAt,
    txId: a.txId,
    block,
    updatedAt: a.updatedAt,
    updatedBlock: updated.block,
    updatedTx: updated.tx,
  };
}
