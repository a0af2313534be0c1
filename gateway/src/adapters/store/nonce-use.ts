/**
 * Why a one-time nonce could not be used, from the record as it stands (or its absence):
 * shared by the store adapters so that both answer alike.
 */
import type { NonceRecord, NonceUse } from '../../ports/store';

/**
 * Someone else's nonce is only ever "not yours": whether it is used or expired is its
 * owner's business.
 *
 * @example
 * whyNotUsable(undefined, { purpose: 'challenge' }, Date.now()); // 'unknown'
 */
export function whyNotUsable(
  r: NonceRecord | undefined,
  q: { purpose: NonceRecord['purpose']; principal?: string },
  nowMs: number,
): Extract<NonceUse, { ok: false }>['why'] {
  if (!r || r.purpose !== q.purpose) return 'unknown';
  if (q.principal !== undefined && r.principal !== q.principal) return 'not_yours';
  if (r.usedAt !== undefined) return 'used';
  if (Date.parse(r.expiresAt) <= nowMs) return 'expired';
  return 'unknown';
}
