/**
 * The SQLite store's connection: opening (or creating) the file, its pragmas, the schema,
 * and the group commit that makes the gateway's own records durable.
 *
 * Durability. The file runs in WAL mode. Writes of the gateway's own records — API keys,
 * custodial keys, credential records and idempotency claims — are durable once their
 * promise resolves: they wait for a group commit (one FULL-synchronous commit, one
 * fsync, shared by every such write of the same turn), so they survive a crash or a
 * power loss. The projection of the ledger (anchors, issuers, checkpoints) and the
 * verification log commit with `synchronous=NORMAL`: a power loss may roll back the last
 * few of them, never corrupts the file, and (WAL commits are replayed in order) never
 * keeps a checkpoint without the projection writes made before it; the ledger is the
 * source of truth and replay from the checkpoint repairs the projection. A FULL commit
 * syncs the whole WAL, so it also makes every NORMAL commit before it durable.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { checkReadable, migrate } from './migrations';

/**
 * How long a durable write waits for others to share its fsync. One fsync costs about a
 * millisecond of blocked event loop here; a few milliseconds of latency buys many writes per fsync.
 */
export const GROUP_COMMIT_MS = 10;

/** One open store file, shared by the store's aggregates. */
export class SqliteDb {
  /** The better-sqlite3 connection, for the aggregates' transactions. */
  readonly conn: Database.Database;
  private closed = false;
  private readonly s: {
    ping: Database.Statement;
    syncFull: Database.Statement;
    touchDurability: Database.Statement;
    syncNormal: Database.Statement;
  };

  /**
   * Opens (creating if needed) the store at `file`; `':memory:'` for a throwaway store.
   * `isReadonly`: for auditors (anxin replay --store) — the file must exist, nothing is
   * written, no migration is run (a store of an older schema is read as it is: what its
   * version lacks fails when asked for, naming the table).
   */
  constructor(
    readonly file: string,
    readonly isReadonly: boolean,
  ) {
    const memory = file === ':memory:' || file === '';
    if (isReadonly) {
      this.conn = new Database(file, { readonly: true, fileMustExist: true });
      try {
        this.conn.pragma('busy_timeout = 5000');
        checkReadable(this.conn, file);
        this.s = this.prepareOwn();
      } catch (e) {
        this.conn.close();
        throw e;
      }
      return;
    }
    if (!memory) {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      // Create it owner-only before SQLite does: it holds API key hashes and sealed keys.
      // SQLite gives the -wal and -shm files the permissions of the database file.
      fs.closeSync(fs.openSync(file, 'a', 0o600));
    }
    this.conn = new Database(file);
    try {
      this.conn.pragma('journal_mode = WAL');
      this.conn.pragma('synchronous = NORMAL');
      this.conn.pragma('busy_timeout = 5000');
      migrate(this.conn, file);
      this.s = this.prepareOwn();
    } catch (e) {
      this.conn.close();
      throw e;
    }
  }

  private prepareOwn() {
    return {
      ping: this.prepare(`SELECT 1 AS ok`),
      syncFull: this.prepare(`PRAGMA synchronous = FULL`),
      touchDurability: this.prepare(`INSERT OR REPLACE INTO durability (id, at) VALUES (1, ?)`),
      syncNormal: this.prepare(`PRAGMA synchronous = NORMAL`),
    };
  }

  /**
   * A prepared statement. On a read-only store of an older schema, a statement whose table
   * or column is not there yet is still "prepared": it fails when run, naming what is missing.
   */
  prepare(sql: string): Database.Statement {
    try {
      return this.conn.prepare(sql);
    } catch (e) {
      if (!this.isReadonly || !/no such (table|column)/.test((e as Error).message)) throw e;
      const fail = () => {
        throw new Error(`store: ${(e as Error).message} (schema version of ${this.file} is older)`);
      };
      return { run: fail, get: fail, all: fail, iterate: fail } as unknown as Database.Statement;
    }
  }

  /** Throws once the store is closed. */
  check(): void {
    if (this.closed) throw new Error('store: closed');
  }

  /**
   * Runs a write that must survive a crash once its promise resolves. The write commits
   * at once (NORMAL); durability comes from a group commit: the first durable write schedules, GROUP_COMMIT_MS later, one FULL-synchronous commit (one fsync of the WAL) that makes it and
   * every commit before it durable, and every durable write of that turn waits for it.
   * Under load that is one fsync per batch of writes instead of one per write.
   */
  async durably<T>(write: () => T): Promise<T> {
    this.check();
    const result = write();
    await this.syncBarrier();
    return result;
  }

  private barrier?: Promise<void>;

  private syncBarrier(): Promise<void> {
    this.barrier ??= new Promise<void>((resolve, reject) => {
      setTimeout(() => {
        this.barrier = undefined;
        try {
          this.check();
          this.s.syncFull.run();
          try {
            this.s.touchDurability.run(Date.now());
          } finally {
            this.s.syncNormal.run();
          }
          resolve();
        } catch (e) {
          reject(e as Error);
        }
      }, GROUP_COMMIT_MS);
    });
    return this.barrier;
  }

  /** Reachable and answering; false once closed. */
  ping(): boolean {
    if (this.closed) return false;
    try {
      return (this.s.ping.get() as { ok: number }).ok === 1;
    } catch {
      return false;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.conn.close();
  }
}
