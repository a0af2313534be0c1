/**
 * The peer's databases in one SQLite file: world state (versioned by block and
 * transaction), the history index, the block index and the transaction index, and the
 * savepoint — the last block whose writes are applied. The block files are the source
 * of truth: everything here can be rebuilt from them, and is, after a crash.
 */
import Database from 'better-sqlite3';
import type { BlockLocation } from './blockfile';
import type { VersionedKV } from './stub';

export interface TxRecord {
  txId: string;
  index: number;
  code: number;
  timestamp: Date;
  writes: Array<{ ns: string; key: string; value: Uint8Array; isDelete: boolean }>;
}

export interface CommittedBlock {
  number: number;
  hash: Buffer;
  location: BlockLocation;
  txs: TxRecord[];
}

export interface IndexedBlock extends BlockLocation {
  number: number;
  hash: Buffer;
}

const k = (key: string) => Buffer.from(key, 'utf8');
const CACHE_ENTRIES = 100_000;

export class StateDb {
  private readonly db: Database.Database;
  private readonly q;
  private apply?: (b: CommittedBlock) => void;
  private readonly cache = new Map<string, VersionedKV | null>();
  /** Cache entries a block's commit changes, applied once its transaction has committed. */
  private readonly cacheUpdates: Array<[string, VersionedKV | null]> = [];
  private readonly readonly: boolean;
  /** A read-only connection's cache: valid while PRAGMA data_version is `seen` (see refresh()). */
  private readonly seen?: { version: number; statement: Database.Statement };

  /**
   * `cacheUntilChanged` (read-only connections only): point reads are cached until another
   * connection commits; the caller asks with refresh() when that matters (an endorsement
   * worker: before each endorsement).
   */
  constructor(path: string, opts: { readonly?: boolean; cacheUntilChanged?: boolean } = {}) {
    this.readonly = !!opts.readonly;
    this.db = new Database(path, { readonly: !!opts.readonly, fileMustExist: !!opts.readonly });
    if (!opts.readonly) {
      this.db.pragma('journal_mode = WAL');
      // Durability comes from the block files (fsynced first); this database is rebuilt from them.
      this.db.pragma('synchronous = NORMAL');
      // Checkpoints are the costly part of a commit: let the WAL grow (~80 MB) before folding it back.
      this.db.pragma('wal_autocheckpoint = 20000');
      this.db.pragma('cache_size = -65536');
      this.db.exec(`
        CREATE TABLE IF NOT EXISTS state (ns TEXT NOT NULL, key BLOB NOT NULL, value BLOB NOT NULL,
          block INTEGER NOT NULL, tx INTEGER NOT NULL, PRIMARY KEY (ns, key)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS history (ns TEXT NOT NULL, key BLOB NOT NULL, block INTEGER NOT NULL,
          tx INTEGER NOT NULL, PRIMARY KEY (ns, key, block, tx)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS blocks (number INTEGER PRIMARY KEY, file INTEGER NOT NULL, offset INTEGER NOT NULL,
          length INTEGER NOT NULL, hash BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS txs (txid TEXT PRIMARY KEY, block INTEGER NOT NULL, idx INTEGER NOT NULL,
          code INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
      `);
    }
    this.q = {
      get: this.db.prepare('SELECT value, block, tx FROM state WHERE ns = ? AND key = ?'),
      rangeTo: this.db.prepare(
        'SELECT key, value, block, tx FROM state WHERE ns = ? AND key >= ? AND key < ? ORDER BY key LIMIT ?',
      ),
      rangeOpen: this.db.prepare(
        'SELECT key, value, block, tx FROM state WHERE ns = ? AND key >= ? ORDER BY key LIMIT ?',
      ),
      history: this.db.prepare('SELECT block, tx FROM history WHERE ns = ? AND key = ? ORDER BY block DESC, tx DESC'),
      last: this.db.prepare('SELECT number, file, offset, length, hash FROM blocks ORDER BY number DESC LIMIT 1'),
      block: this.db.prepare('SELECT number, file, offset, length, hash FROM blocks WHERE number = ?'),
      tx: this.db.prepare('SELECT block, idx, code FROM txs WHERE txid = ?'),
      metaGet: this.readonly ? undefined : this.db.prepare('SELECT value FROM meta WHERE key = ?'),
      ...(opts.readonly
        ? {}
        : {
            put: this.db.prepare('INSERT OR REPLACE INTO state (ns, key, value, block, tx) VALUES (?, ?, ?, ?, ?)'),
            del: this.db.prepare('DELETE FROM state WHERE ns = ? AND key = ?'),
            hist: this.db.prepare('INSERT OR REPLACE INTO history (ns, key, block, tx) VALUES (?, ?, ?, ?)'),
            addBlock: this.db.prepare(
              'INSERT OR REPLACE INTO blocks (number, file, offset, length, hash) VALUES (?, ?, ?, ?, ?)',
            ),
            addTx: this.db.prepare('INSERT OR IGNORE INTO txs (txid, block, idx, code) VALUES (?, ?, ?, ?)'),
            metaPut: this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
          }),
    };
    if (this.readonly && opts.cacheUntilChanged) {
      const statement = this.db.prepare('PRAGMA data_version').pluck();
      this.seen = { statement, version: statement.get() as number };
    }
  }

  /**
   * For a read-only connection that caches: forget every cached read if another connection
   * has committed since the last look (one cheap PRAGMA). Between two calls, reads may come
   * from the cache, that is from committed state at or after the previous call — which is
   * what simulation needs: it reads committed state, and the committer's MVCC check decides.
   */
  refresh(): void {
    if (!this.seen) return;
    const version = this.seen.statement.get() as number;
    if (version === this.seen.version) return;
    this.seen.version = version;
    this.cache.clear();
  }

  get(ns: string, key: string): VersionedKV | undefined {
    if (this.readonly && !this.seen) return this.read(ns, key);
    const id = `${ns}\u0000${key}`;
    const hit = this.cache.get(id);
    if (hit !== undefined) return hit ?? undefined;
    const v = this.read(ns, key);
    this.remember(id, v ?? null);
    return v;
  }

  /** A point read from the database itself. */
  private read(ns: string, key: string): VersionedKV | undefined {
    const r = this.q.get.get(ns, k(key)) as { value: Buffer; block: number; tx: number } | undefined;
    return r ? { key, value: r.value, version: { block: r.block, tx: r.tx } } : undefined;
  }

  /**
   * Cache of point reads (absent keys too). The writing connection's is write-through: it
   * sees every write. A read-only connection, which another connection writes behind its
   * back, caches only when opened with `cacheUntilChanged`, and drops everything on refresh()
   * after any commit; otherwise it reads the database every time.
   */
  private remember(id: string, v: VersionedKV | null): void {
    if (this.cache.size >= CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(id, v);
  }

  range(ns: string, start: string, end: string, limit: number): VersionedKV[] {
    const rows = (
      end ? this.q.rangeTo.all(ns, k(start), k(end), limit) : this.q.rangeOpen.all(ns, k(start), limit)
    ) as Array<{
      key: Buffer;
      value: Buffer;
      block: number;
      tx: number;
    }>;
    return rows.map((r) => ({ key: r.key.toString('utf8'), value: r.value, version: { block: r.block, tx: r.tx } }));
  }

  /**
   * Where a key was modified, newest first. Like Fabric's history database this is an
   * index only: the values live in the blocks.
   */
  historyIndex(ns: string, key: string): Array<{ block: number; tx: number }> {
    return this.q.history.all(ns, k(key)) as Array<{ block: number; tx: number }>;
  }

  lastBlock(): IndexedBlock | undefined {
    return (this.q.last.get() as IndexedBlock | undefined) ?? undefined;
  }

  block(n: number): IndexedBlock | undefined {
    return (this.q.block.get(n) as IndexedBlock | undefined) ?? undefined;
  }

  tx(txId: string): { block: number; index: number; code: number } | undefined {
    const r = this.q.tx.get(txId) as { block: number; idx: number; code: number } | undefined;
    return r ? { block: r.block, index: r.idx, code: r.code } : undefined;
  }

  /**
   * Apply a committed block: its index entry, its transactions, and the valid ones' writes.
   * One transaction; the read cache changes only once it has committed, so a commit that
   * fails (a full disk) leaves no write of the block visible.
   */
  commit(b: CommittedBlock): void {
    const cached = this.cacheUpdates;
    this.apply ??= this.db.transaction((block: CommittedBlock) => {
      const q = this.q as Required<typeof this.q>;
      q.addBlock.run(block.number, block.location.file, block.location.offset, block.location.length, block.hash);
      for (const tx of block.txs) {
        if (tx.txId) q.addTx.run(tx.txId, block.number, tx.index, tx.code);
        if (tx.code !== 0) continue;
        for (const w of tx.writes) {
          const id = `${w.ns}\u0000${w.key}`;
          if (this.cache.has(id)) {
            cached.push([
              id,
              w.isDelete
                ? null
                : { key: w.key, value: Buffer.from(w.value), version: { block: block.number, tx: tx.index } },
            ]);
          }
          if (w.isDelete) q.del.run(w.ns, k(w.key));
          else q.put.run(w.ns, k(w.key), w.value, block.number, tx.index);
          q.hist.run(w.ns, k(w.key), block.number, tx.index);
        }
      }
    });
    cached.length = 0;
    try {
      this.apply(b);
      for (const [id, v] of cached) this.cache.set(id, v);
    } finally {
      cached.length = 0;
    }
  }

  /** A value the index keeps about the ledger itself (e.g. the digest of block 0). */
  meta(key: string): Buffer | undefined {
    return (this.q.metaGet?.get(key) as { value: Buffer } | undefined)?.value;
  }

  setMeta(key: string, value: Buffer): void {
    (this.q as Required<typeof this.q>).metaPut.run(key, value);
  }

  /**
   * WAL pages after which a COMMIT checkpoints by itself: raised while a Checkpointer
   * folds the WAL back from another thread, so that COMMIT only does it as a safety net.
   */
  setAutoCheckpoint(pages: number): void {
    this.db.pragma(`wal_autocheckpoint = ${Math.max(0, Math.floor(pages))}`);
  }

  close(): void {
    this.db.close();
  }
}
