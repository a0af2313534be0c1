/**
 * A credential's entry in a status list: which list, and its index there. The ledger holds
 * it beside the anchor so that the published lists (IETF Token Status List, W3C Bitstring
 * Status List) are derived from the ledger alone, and so that no (list, index) is ever given
 * to two credentials.
 */
import type { Infer, Schema } from '../infer';

/**
 * Entries per list: 2^17, the W3C Bitstring Status List minimum (16 KB of bits), so that a
 * list fetched reveals nothing about which of its many credentials a verifier checks.
 */
export const STATUS_LIST_SIZE = 131_072;

/** A status list's name: a path segment of its URL, unique on the ledger, owned by one issuer. */
export const statusListId = {
  type: 'string',
  pattern: '^[A-Za-z0-9_-]{8,64}$',
  description: 'Name of a status list (URL-safe); the list belongs to the issuer that first used it.',
} as const;

export const statusEntry = {
  type: 'object',
  description:
    'The credential’s entry in a status list: the list and its index there, chosen at random ' +
    'and never given to another credential.',
  properties: {
    list: statusListId,
    idx: { type: 'integer', minimum: 0, maximum: STATUS_LIST_SIZE - 1 },
  },
  required: ['list', 'idx'],
  additionalProperties: false,
} as const satisfies Schema;
export type StatusEntry = Infer<typeof statusEntry>;
