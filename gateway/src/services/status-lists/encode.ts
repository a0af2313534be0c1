/**
 * The two published encodings of one status list, built from the statuses of its entries,
 * each as its specification's algorithm says:
 *  - IETF Token Status List (draft-ietf-oauth-status-list §4.1): 2 bits per entry — 0 VALID,
 *    1 INVALID (revoked), 2 SUSPENDED — entry 0 in the least significant bits of byte 0,
 *    ZLIB-compressed, base64url (`status_list.lst`);
 *  - W3C Bitstring Status List v1.0: one bit per entry and purpose (revocation, suspension),
 *    entry 0 the left-most bit, GZIP-compressed, multibase base64url (`u…`).
 * Written here rather than with @sd-jwt/jwt-status-list, which builds a list of 131,072
 * entries through strings (100–400 ms a list against under 1 ms) — a list is signed again
 * on every status change; the tests read what is written here with that library.
 */
import { deflateSync, gzipSync } from 'node:zlib';
import { STATUS_LIST_SIZE, type AnchorStatus } from '@anxin/schemas';

/** Token Status List status types (draft-ietf-oauth-status-list §7.1). */
export const TOKEN_STATUS = { VALID: 0, INVALID: 1, SUSPENDED: 2 } as const;

/** The two purposes of the W3C lists Anxin publishes. */
export const STATUS_PURPOSES = ['revocation', 'suspension'] as const;
export type StatusPurpose = (typeof STATUS_PURPOSES)[number];

/** An entry's index and its credential's status. */
export interface EntryStatus {
  idx: number;
  status: AnchorStatus;
}

/** A Token Status List's `status_list` member: 2 bits per entry, `size` entries. */
export function tokenStatusList(entries: readonly EntryStatus[], size = STATUS_LIST_SIZE): { bits: 2; lst: string } {
  const bytes = Buffer.alloc(Math.ceil((size * 2) / 8));
  for (const e of entries) {
    const v = e.status === 'revoked' ? TOKEN_STATUS.INVALID : e.status === 'suspended' ? TOKEN_STATUS.SUSPENDED : 0;
    const bit = e.idx * 2;
    if (v) bytes[bit >> 3]! |= v << (bit & 7);
  }
  return { bits: 2, lst: deflateSync(bytes, { level: 9 }).toString('base64url') };
}

/** Whether an entry's bit is set in the list of `purpose`: revoked, or suspended now. */
function bitOf(purpose: StatusPurpose, status: AnchorStatus): boolean {
  return purpose === 'revocation' ? status === 'revoked' : status === 'suspended';
}

/**
 * A Bitstring Status List's `encodedList`: index 0 is the left-most (most significant) bit
 * of the first byte; GZIP; multibase base64url without padding (prefix `u`).
 *
 * @example bitstringEncodedList('revocation', [{ idx: 0, status: 'revoked' }]).startsWith('uH4sI') // true
 */
export function bitstringEncodedList(
  purpose: StatusPurpose,
  entries: readonly EntryStatus[],
  size = STATUS_LIST_SIZE,
): string {
  const bits = Buffer.alloc(Math.ceil(size / 8));
  for (const e of entries) if (bitOf(purpose, e.status)) bits[e.idx >> 3]! |= 0x80 >> (e.idx & 7);
  return `u${gzipSync(bits).toString('base64url')}`;
}
