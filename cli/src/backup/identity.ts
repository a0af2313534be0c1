/**
 * Whether a store belongs to a ledger: its projection is not ahead of the ledger, and the
 * anchors it projected name transactions this ledger holds, in the blocks it names. A store
 * made over another network's ledger fails at its first anchor.
 */
import Database from 'better-sqlite3';

/** Anchors looked up at each end of the store's projection (newest and oldest). */
const SAMPLE = 200;

/**
 * Why the SQLite store `storeFile` does not belong to the ledger whose state database is
 * `stateFile`, at `height`; undefined when it does.
 */
export function storeMismatch(storeFile: string, stateFile: string, height: number): string | undefined {
  const store = new Database(storeFile, { readonly: true, fileMustExist: true });
  const state = new Database(stateFile, { readonly: true, fileMustExist: true });
  try {
    let cp: { block: number } | undefined;
    try {
      cp = store.prepare(`SELECT block FROM checkpoints WHERE name = 'projection'`).get() as typeof cp;
    } catch {
      return undefined; // a store of a schema with nothing projected yet
    }
    if (cp && cp.block > height)
      return `the store has projected block ${cp.block - 1}, beyond the ledger's last block ${height - 1}`;
    const tx = state.prepare('SELECT block FROM txs WHERE txid = ?');
    const pick = (order: 'ASC' | 'DESC') =>
      store
        .prepare(`SELECT id, tx_id, block FROM anchors WHERE block < ? ORDER BY block ${order} LIMIT ${SAMPLE}`)
        .all(height) as Array<{ id: string; tx_id: string; block: number }>;
    for (const a of [...pick('DESC'), ...pick('ASC')]) {
      const found = tx.get(a.tx_id) as { block: number } | undefined;
      if (!found || found.block !== a.block)
        return `the store's anchor ${a.id} names transaction ${a.tx_id} in block ${a.block}, which this ledger ${found ? `has in block ${found.block}` : 'does not hold'}`;
    }
    return undefined;
  } finally {
    store.close();
    state.close();
  }
}
