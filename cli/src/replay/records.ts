/**
 * The Anxin records the rebuilt state holds — anchors and issuers, each with the version
 * (block, tx) of its last change — read by the store comparison and the summary.
 */
import { recordKindOf } from '@anxin/chaincode/rules';
import type { AnchorRecord, IssuerRecord } from '@anxin/schemas';
import type { Finding } from './findings';
import { splitId, type World } from './world';

type Version = { block: number; tx: number };

export interface LedgerRecords {
  anchors: Array<AnchorRecord & { version: Version }>;
  issuers: Array<IssuerRecord & { version: Version }>;
}

const text = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');

/**
 * The anchors and issuers `chaincode` holds in `world`, in the state's order. A record that
 * is not JSON is a finding (it was written by a transaction the checks already flag).
 */
export function recordsOf(world: World, chaincode: string, report: (f: Finding) => void): LedgerRecords {
  const out: LedgerRecords = { anchors: [], issuers: [] };
  const parse = <T>(key: string, v: Uint8Array): T | undefined => {
    try {
      const x = JSON.parse(text(v)) as unknown;
      if (x && typeof x === 'object') return x as T;
    } catch {
      // reported below
    }
    report({
      kind: 'state',
      key,
      detail:
        'the rebuilt state holds a record that is not JSON (written by a transaction the checks above already flag)',
    });
    return undefined;
  };
  for (const [k, v] of world.state) {
    const { ns, key } = splitId(k);
    if (ns !== chaincode) continue;
    const kind = recordKindOf(key);
    if (kind === 'anchor') {
      const a = parse<AnchorRecord>(key, v.value);
      if (a) out.anchors.push({ ...a, version: v.version });
    } else if (kind === 'issuer') {
      const i = parse<IssuerRecord>(key, v.value);
      if (i) out.issuers.push({ ...i, version: v.version });
    }
  }
  return out;
}
