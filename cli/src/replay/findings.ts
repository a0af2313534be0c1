/**
 * What a replay found wrong. Each finding names the exact place: block, transaction,
 * key, and what was expected against what is there.
 */
import { displayKey } from '@anxin/chaincode/wire';

export const FINDING_KINDS = [
  'source', // blocks missing, unreadable, out of order
  'encoding', // bytes that are not the canonical encoding of what they decode to
  'chain', // previous_hash does not link
  'dataHash', // data_hash does not match the envelopes
  'blockSignature', // orderer signature in SIGNATURES metadata
  'metadata', // LAST_CONFIG / filter shape
  'commitHash', // COMMIT_HASH does not chain over the block's validation codes and state updates
  'creator', // envelope creator: certificate chain or signature
  'endorsement', // endorser: certificate chain or signature
  'txId', // tx id is not sha256(nonce || creator)
  'proposalHash', // the endorsed response is not for this proposal
  'validationCode', // TRANSACTIONS_FILTER differs from re-validation
  'statement', // a statement the contract's rules do not accept at that point
  'writeSet', // writes differ from what the rules produce
  'event', // event differs from what the rules produce
  'response', // the endorsed response (status, result) differs from what the rules produce
  'state', // rebuilt world state differs from the ledger's current state
  'store', // the store's projection differs from the rebuilt state
  'statusList', // a published status list differs from the rebuilt state, or does not verify
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
    f.key ? `key ${JSON.stringify(displayKey(f.key))}` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  return `${f.kind}: ${where ? `${where}: ` : ''}${f.detail}${difference(f.expected, f.actual)}`;
}

function object(text: string | undefined): Record<string, unknown> | undefined {
  if (!text || !text.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Expected against found; for two JSON records, only the members that differ. */
function difference(expected: string | undefined, actual: string | undefined): string {
  if (expected === undefined && actual === undefined) return '';
  const [e, a] = [object(expected), object(actual)];
  if (e && a) {
    const keys = [...new Set([...Object.keys(e), ...Object.keys(a)])].filter(
      (k) => JSON.stringify(e[k]) !== JSON.stringify(a[k]),
    );
    if (keys.length && keys.length <= 4) {
      const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));
      return ` — ${keys.map((k) => `${k}: expected ${show(e[k])}, found ${show(a[k])}`).join('; ')}`;
    }
  }
  return ` — expected ${expected ?? '∅'}, found ${actual ?? '∅'}`;
}

/** Findings as a replay reports them: every one counted, the first `keep` kept. */
export class FindingLog {
  readonly kept: Finding[] = [];
  total = 0;

  constructor(private readonly keep: number) {}

  /** Report one finding (bound: pass it around as a callback). */
  readonly report = (f: Finding): void => {
    this.total++;
    if (this.kept.length < this.keep) this.kept.push(f);
  };

  /** The kept findings in ledger order (block, then transaction), whatever order they were reported in. */
  inLedgerOrder(): Finding[] {
    const order = (f: Finding) => [f.block ?? Number.MAX_SAFE_INTEGER, f.tx ?? -1];
    return this.kept.sort((a, b) => {
      const [ab, at] = order(a);
      const [bb, bt] = order(b);
      return ab! - bb! || at! - bt!;
    });
  }
}
