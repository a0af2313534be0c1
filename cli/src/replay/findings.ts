/**
 * What a replay found wrong. Each finding names the exact place: block, transaction,
 * key, and what was expected against what is there.
 */
export const FINDING_KINDS = [
  'source', // blocks missing, unreadable, out of order
  'encoding', // bytes that are not the canonical encoding of what they decode to
  'chain', // previous_hash does not link
  'dataHash', // data_hash does not match the envelopes
  'blockSignature', // orderer signature in SIGNATURES metadata
  'metadata', // LAST_CONFIG / filter shape
  'creator', // envelope creator: certificate chain or signature
  'endorsement', // endorser: certificate chain or signature
  'txId', // tx id is not sha256(nonce || creator)
  'proposalHash', // the endorsed response is not for this proposal
  'validationCode', // TRANSACTIONS_FILTER differs from re-validation
  'statement', // a statement the contract's rules do not accept at that point
  'writeSet', // writes differ from what the rules produce
  'event', // event differs from what the rules produce
  'state', // rebuilt world state differs from the ledger's current state
  'store', // the store's projection differs from the rebuilt state
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Finding {
  kind: FindingKind;
  block?: number;
  tx?: number;
  txId?: string;
  key?: string;
  detail: string;
  expected?: string;
  actual?: string;
}

export function describe(f: Finding): string {
  const where = [
    f.block !== undefined ? `block ${f.block}` : undefined,
    f.tx !== undefined ? `tx ${f.tx}` : undefined,
    f.txId ? `(${f.txId.slice(0, 12)}…)` : undefined,
    f.key ? `key ${JSON.stringify(f.key.replace(/\u0000/g, '/'))}` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  const diff = f.expected !== undefined || f.actual !== undefined ? ` — expected ${f.expected ?? '∅'}, found ${f.actual ?? '∅'}` : '';
  return `${f.kind}: ${where ? `${where}: ` : ''}${f.detail}${diff}`;
}
