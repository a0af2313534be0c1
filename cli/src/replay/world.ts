/**
 * The world state rebuilt from valid write sets, with Fabric's versions (block, tx),
 * and Fabric's validation re-run over it: duplicate tx ids, MVCC reads, phantom reads.
 *
 * This MVCC validation is deliberately independent of the embedded ledger's
 * (network/embedded/validate.ts), though both follow Fabric's committer: an auditor must
 * not trust the code it audits, so a bug in the ledger's validator is not repeated here
 * but shows up as a `validationCode` finding. Neither imports the other.
 */
import { TxValidationCode, cmp } from '@anxin/network';
import type { TxFacts } from './check';

export interface Versioned {
  value: Uint8Array;
  version: { block: number; tx: number };
}

const id = (ns: string, key: string) => `${ns}\u0000${key}`;

/** A `state` entry's id split back into its namespace and its key. */
export function splitId(stateId: string): { ns: string; key: string } {
  const sep = stateId.indexOf('\u0000');
  return { ns: stateId.slice(0, sep), key: stateId.slice(sep + 1) };
}

const same = (a?: { block: number; tx: number }, b?: { block: number; tx: number }) =>
  !a || !b ? !a && !b : a.block === b.block && a.tx === b.tx;

export class World {
  /** Values by namespace and key (`ns\u0000key`; see splitId). */
  readonly state = new Map<string, Versioned>();
  /** Versions of private data, known only by key hash. */
  readonly hashed = new Map<string, { block: number; tx: number }>();
  /** Every tx id seen (valid or not), with where it was committed. */
  readonly txs = new Map<string, { block: number; tx: number; valid: boolean }>();

  get(ns: string, key: string): Versioned | undefined {
    return this.state.get(id(ns, key));
  }

  /** Keys of a namespace in [start, end) in byte order (end '' = unbounded). */
  range(ns: string, start: string, end: string): Array<{ key: string; version: { block: number; tx: number } }> {
    const out: Array<{ key: string; version: { block: number; tx: number } }> = [];
    const prefix = `${ns}\u0000`;
    for (const [k, v] of this.state) {
      if (!k.startsWith(prefix)) continue;
      const key = k.slice(prefix.length);
      if (cmp(key, start) >= 0 && (!end || cmp(key, end) < 0)) out.push({ key, version: v.version });
    }
    return out.sort((a, b) => cmp(a.key, b.key));
  }

  /**
   * The validation code Fabric's committer gives this transaction, given the state
   * before its block and the keys written by earlier valid transactions of the block.
   */
  validate(tx: TxFacts, updated: Set<string>): number {
    if (tx.type !== 'ENDORSER_TRANSACTION') return TxValidationCode.VALID;
    if (this.txs.has(tx.txId)) return TxValidationCode.DUPLICATE_TXID;
    for (const s of tx.rwsets) {
      for (const r of s.reads) {
        if (updated.has(id(s.namespace, r.key))) return TxValidationCode.MVCC_READ_CONFLICT;
        if (!same(this.get(s.namespace, r.key)?.version, r.version)) return TxValidationCode.MVCC_READ_CONFLICT;
      }
      for (const c of s.collections ?? []) {
        for (const r of c.reads) {
          const hk = `${s.namespace}\u0000${c.name}\u0000${r.keyHash}`;
          if (updated.has(hk) || !same(this.hashed.get(hk), r.version)) return TxValidationCode.MVCC_READ_CONFLICT;
        }
      }
      for (const q of s.rangeQueries) {
        const last = q.reads.length ? q.reads[q.reads.length - 1]!.key : undefined;
        const inRange = (key: string) =>
          cmp(key, q.startKey) >= 0 &&
          (q.exhausted ? !q.endKey || cmp(key, q.endKey) < 0 : last !== undefined && cmp(key, last) <= 0);
        for (const u of updated) {
          const sep = u.indexOf('\u0000');
          if (u.slice(0, sep) === s.namespace && inRange(u.slice(sep + 1)))
            return TxValidationCode.PHANTOM_READ_CONFLICT;
        }
        const now = this.range(s.namespace, q.startKey, q.endKey).filter((x) => inRange(x.key));
        if (now.length !== q.reads.length) return TxValidationCode.PHANTOM_READ_CONFLICT;
        for (let i = 0; i < now.length; i++) {
          if (now[i]!.key !== q.reads[i]!.key || !same(now[i]!.version, q.reads[i]!.version))
            return TxValidationCode.PHANTOM_READ_CONFLICT;
        }
      }
    }
    return TxValidationCode.VALID;
  }

  /** Keys a transaction writes, in the form `validate` tracks. */
  static writtenKeys(tx: TxFacts): string[] {
    const out: string[] = [];
    for (const s of tx.rwsets) {
      for (const w of s.writes) out.push(id(s.namespace, w.key));
      for (const c of s.collections ?? [])
        for (const w of c.writes) out.push(`${s.namespace}\u0000${c.name}\u0000${w.keyHash}`);
    }
    return out;
  }

  /** Apply a transaction as committed: its tx id is taken (valid or not), its writes only if valid. */
  apply(tx: TxFacts, block: number, valid: boolean): void {
    if (tx.txId && !this.txs.has(tx.txId)) this.txs.set(tx.txId, { block, tx: tx.index, valid });
    if (!valid) return;
    for (const s of tx.rwsets) {
      for (const w of s.writes) {
        if (w.isDelete) this.state.delete(id(s.namespace, w.key));
        else this.state.set(id(s.namespace, w.key), { value: w.value, version: { block, tx: tx.index } });
      }
      for (const c of s.collections ?? []) {
        for (const w of c.writes) {
          const hk = `${s.namespace}\u0000${c.name}\u0000${w.keyHash}`;
          if (w.isDelete) this.hashed.delete(hk);
          else this.hashed.set(hk, { block, tx: tx.index });
        }
      }
    }
  }
}
