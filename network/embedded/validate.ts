/**
 * The committer's validation, as a Fabric peer does it, for one block in order:
 * a duplicate transaction id is DUPLICATE_TXID; a read whose version changed (in
 * committed state, or by an earlier valid transaction of the same block) is
 * MVCC_READ_CONFLICT; a range query that would now see other keys or versions is
 * PHANTOM_READ_CONFLICT.
 *
 * The auditor's replay re-derives these codes with a validator of its own
 * (cli/src/replay/world.ts), on purpose: it must not trust the code it audits.
 */
import { TxValidationCode } from '../blocks/codes';
import { cmp, type NsRwSetSpec } from '../blocks/tx';
import type { StateDb } from './statedb';
import { TOTAL_QUERY_LIMIT } from './stub';

type Version = { block: number; tx: number };

function sameVersion(a?: Version, b?: Version): boolean {
  if (!a || !b) return !a && !b;
  return a.block === b.block && a.tx === b.tx;
}

/**
 * The validation code of each transaction of a block about to be committed on `db`, in
 * block order.
 *
 * @example
 * const codes = validateBlock(db, batch); // [TxValidationCode.VALID, TxValidationCode.MVCC_READ_CONFLICT, …]
 */
export function validateBlock(db: StateDb, batch: Array<{ txId: string; rwsets: NsRwSetSpec[] }>): number[] {
  const updated = new Set<string>(); // ns\0key written by an earlier valid tx of this block
  const seen = new Set<string>();
  return batch.map((tx) => {
    if (seen.has(tx.txId) || db.tx(tx.txId)) return TxValidationCode.DUPLICATE_TXID;
    seen.add(tx.txId);
    const code = checkReads(db, tx.rwsets, updated);
    if (code === TxValidationCode.VALID) {
      for (const s of tx.rwsets) for (const w of s.writes) updated.add(`${s.namespace}\u0000${w.key}`);
    }
    return code;
  });
}

function checkReads(db: StateDb, rwsets: NsRwSetSpec[], updated: Set<string>): number {
  for (const s of rwsets) {
    for (const r of s.reads) {
      if (updated.has(`${s.namespace}\u0000${r.key}`)) return TxValidationCode.MVCC_READ_CONFLICT;
      const cur = db.get(s.namespace, r.key)?.version;
      if (!sameVersion(cur, r.version)) return TxValidationCode.MVCC_READ_CONFLICT;
    }
    for (const q of s.rangeQueries) {
      const last = q.reads.length ? q.reads[q.reads.length - 1]!.key : undefined;
      // An unexhausted iterator only saw keys up to its last read.
      const inRange = (key: string) =>
        cmp(key, q.startKey) >= 0 &&
        (q.exhausted ? !q.endKey || cmp(key, q.endKey) < 0 : last !== undefined && cmp(key, last) <= 0);
      for (const u of updated) {
        const [ns, key] = [u.slice(0, u.indexOf('\u0000')), u.slice(u.indexOf('\u0000') + 1)];
        if (ns === s.namespace && inRange(key)) return TxValidationCode.PHANTOM_READ_CONFLICT;
      }
      const now = db
        .range(s.namespace, q.startKey, q.endKey, q.exhausted ? TOTAL_QUERY_LIMIT : q.reads.length)
        .filter((r) => inRange(r.key));
      if (now.length !== q.reads.length) return TxValidationCode.PHANTOM_READ_CONFLICT;
      for (let i = 0; i < now.length; i++) {
        if (now[i]!.key !== q.reads[i]!.key || !sameVersion(now[i]!.version, q.reads[i]!.version)) {
          return TxValidationCode.PHANTOM_READ_CONFLICT;
        }
      }
    }
  }
  return TxValidationCode.VALID;
}
