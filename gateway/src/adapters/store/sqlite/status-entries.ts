/** Status list entries on SQLite: one row per (list, index), upserted unless a newer change is stored. */
import type { StatusEntryRecord, StatusEntryStore, StatusListSummary } from '../../../ports/store';
import type { SqliteDb } from './db';
import type { Row } from './rows';

function statements(db: SqliteDb) {
  return {
    put: db.prepare(`
        INSERT INTO status_entries (list, idx, issuer, credential_id, status, updated_block, updated_tx)
        VALUES (@list, @idx, @issuer, @credential_id, @status, @updated_block, @updated_tx)
        ON CONFLICT (list, idx) DO UPDATE SET
          issuer = excluded.issuer, credential_id = excluded.credential_id, status = excluded.status,
          updated_block = excluded.updated_block, updated_tx = excluded.updated_tx
        WHERE (excluded.updated_block, excluded.updated_tx) >= (status_entries.updated_block, status_entries.updated_tx)`),
    ofList: db.prepare(`SELECT * FROM status_entries WHERE list = ? ORDER BY idx`),
    taken: db.prepare(`SELECT 1 FROM status_entries WHERE list = ? AND idx = ?`),
    lists: db.prepare(
      `SELECT list, issuer, COUNT(*) AS entries FROM status_entries GROUP BY list, issuer ORDER BY list, issuer`,
    ),
    listsOf: db.prepare(
      `SELECT list, issuer, COUNT(*) AS entries FROM status_entries WHERE issuer = ? GROUP BY list, issuer ORDER BY list`,
    ),
  };
}

export class SqliteStatusEntries implements StatusEntryStore {
  private readonly s: ReturnType<typeof statements>;

  constructor(private readonly db: SqliteDb) {
    this.s = statements(db);
  }

  async putStatusEntry(r: StatusEntryRecord): Promise<void> {
    this.db.check();
    this.putEntryRow(r);
  }

  /** The upsert itself, synchronous, for a caller's transaction. */
  putEntryRow(r: StatusEntryRecord): void {
    this.s.put.run({
      list: r.list,
      idx: r.idx,
      issuer: r.issuer,
      credential_id: r.credentialId,
      status: r.status,
      updated_block: r.updatedBlock,
      updated_tx: r.updatedTx,
    });
  }

  async listStatusEntries(list: string): Promise<StatusEntryRecord[]> {
    this.db.check();
    return (this.s.ofList.all(list) as Row[]).map((r) => ({
      list: r.list as string,
      idx: r.idx as number,
      issuer: r.issuer as string,
      credentialId: r.credential_id as string,
      status: r.status as StatusEntryRecord['status'],
      updatedBlock: r.updated_block as number,
      updatedTx: r.updated_tx as number,
    }));
  }

  async statusEntryTaken(list: string, idx: number): Promise<boolean> {
    this.db.check();
    return this.s.taken.get(list, idx) !== undefined;
  }

  async statusLists(issuer?: string): Promise<StatusListSummary[]> {
    this.db.check();
    const rows = (issuer === undefined ? this.s.lists.all() : this.s.listsOf.all(issuer)) as Row[];
    return rows.map((r) => ({ list: r.list as string, issuer: r.issuer as string, entries: r.entries as number }));
  }
}
