/**
 * The MongoDB store's connection: its own (`mongoose.createConnection`, never the global
 * one), its options, its models, and what every aggregate needs of it.
 *
 * Durability: writes use `w: 'majority', journal: true` (unless the URI says otherwise),
 * so a write that returned survives a crash of the primary.
 */
import mongoose, { type ConnectOptions, type Connection } from 'mongoose';
import { createCollections, modelsOn, type Models } from './models';

export interface MongoStoreOptions {
  /** Database name; defaults to the one in the URI (or `anxin` when the URI names none). */
  dbName?: string;
  /** How long to wait for a reachable server before an operation fails (default 5 s). */
  serverSelectionTimeoutMS?: number;
  /** Read only, as an auditor does: no collection or index is created (writes would still be refused by
   * giving the auditor a read-only MongoDB user). */
  readonly?: boolean;
}

/** Does the URI's query string set this option (names are case-insensitive)? */
function uriSets(uri: string, option: string): boolean {
  const q = uri.indexOf('?');
  if (q < 0) return false;
  return uri
    .slice(q + 1)
    .split('&')
    .some((kv) => kv.split('=')[0]!.toLowerCase() === option.toLowerCase());
}

/** Whether a driver error is a unique index refusing a second document with the same key (E11000). */
export function isDuplicateKey(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { code, codeName } = e as { code?: unknown; codeName?: unknown };
  return code === 11000 || code === 11001 || codeName === 'DuplicateKey';
}

/** One connection to the store's database, shared by the store's aggregates. */
export class MongoDb {
  readonly models: Models;
  private closed = false;

  private constructor(private readonly conn: Connection) {
    this.models = modelsOn(conn);
  }

  /** Connects, then creates the collections and the indexes (the unique ones carry correctness) before returning. */
  static async open(uri: string, options: MongoStoreOptions = {}): Promise<MongoDb> {
    // Defaults; an option the URI sets itself wins (options given here would override it).
    const defaults: ConnectOptions = {
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5_000,
      connectTimeoutMS: 10_000,
      socketTimeoutMS: 30_000,
      heartbeatFrequencyMS: 10_000,
      maxPoolSize: 20,
    };
    for (const k of Object.keys(defaults)) if (uriSets(uri, k)) delete defaults[k as keyof ConnectOptions];
    const conn = mongoose.createConnection(uri, {
      ...defaults,
      ...(options.dbName ? { dbName: options.dbName } : {}),
      // Fail fast while disconnected instead of queueing operations without bound.
      bufferCommands: false,
      // Collections and indexes are created by createCollections(), awaited before the store is used.
      autoIndex: false,
      autoCreate: false,
      ...(['w', 'journal', 'wtimeoutMS'].some((k) => uriSets(uri, k))
        ? {}
        : { writeConcern: { w: 'majority' as const, journal: true, wtimeoutMS: 10_000 } }),
    });
    try {
      await conn.asPromise();
      const db = new MongoDb(conn);
      if (!options.readonly) await createCollections(db.models);
      return db;
    } catch (e) {
      await conn.close().catch(() => undefined);
      throw e;
    }
  }

  /** Throws once the store is closed. */
  check(): void {
    if (this.closed) throw new Error('store: closed');
  }

  /** Reachable and answering; false once closed. */
  async ping(): Promise<boolean> {
    if (this.closed || !this.conn.db) return false;
    try {
      const res = await this.conn.db.admin().command({ ping: 1 }, { signal: AbortSignal.timeout(2_000) });
      return res.ok === 1;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.conn.close();
  }

  /** Drops the whole database this store uses. */
  async dropDatabase(): Promise<void> {
    await this.conn.dropDatabase();
  }
}
