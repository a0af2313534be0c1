/**
 * Retention on SQLite: old rows of the verification log, completed idempotency claims,
 * finished notifications and expired nonces, deleted in short batches so that other
 * writes go in between.
 */
import type Database from 'better-sqlite3';
import type { PruneCounts, RetentionCutoffs, RetentionStore } from '../../../ports/store';
import type { SqliteDb } from './db';
import { instantMs } from './rows';

/** Rows deleted per statement while pruning: each batch is short, other writes go in between. */
const PRUNE_BATCH = 5_000;

function statements(db: SqliteDb) {
  return {
    pruneVerifications: db.prepare(
      `DELETE FROM verifications WHERE rowid IN (SELECT rowid FROM verifications WHERE at_ms < ? LIMIT ${PRUNE_BATCH})`,
    ),
    // Claims are written with toISOString(); julianday() compares them as instants all the same.
    pruneIdempotency: db.prepare(
      `DELETE FROM idempotency WHERE rowid IN (SELECT rowid FROM idempotency
           WHERE response IS NOT NULL AND julianday(created_at) < julianday(?) LIMIT ${PRUNE_BATCH})`,
    ),
    pruneNotifications: db.prepare(
      `DELETE FROM notifications WHERE rowid IN (SELECT rowid FROM notifications
           WHERE state <> 'pending' AND created_ms < ? LIMIT ${PRUNE_BATCH})`,
    ),
    pruneOffers: db.prepare(
      `DELETE FROM credential_offers WHERE rowid IN (SELECT rowid FROM credential_offers WHERE expires_ms < ? LIMIT ${PRUNE_BATCH})`,
    ),
    prunePresentationRequests: db.prepare(
      `DELETE FROM presentation_requests WHERE rowid IN (SELECT rowid FROM presentation_requests WHERE expires_ms < ? LIMIT ${PRUNE_BATCH})`,
    ),
    pruneNonces: db.prepare(
      `DELETE FROM nonces WHERE rowid IN (SELECT rowid FROM nonces WHERE expires_ms < ? LIMIT ${PRUNE_BATCH})`,
    ),
  };
}

export class SqliteRetention implements RetentionStore {
  private readonly s: ReturnType<typeof statements>;

  constructor(private readonly db: SqliteDb) {
    this.s = statements(db);
  }

  async prune(c: RetentionCutoffs): Promise<PruneCounts> {
    this.db.check();
    const batches = async (stmt: Database.Statement, arg: number | string): Promise<number> => {
      let total = 0;
      for (;;) {
        this.db.check();
        const n = stmt.run(arg).changes;
        total += n;
        if (n < PRUNE_BATCH) return total;
        await new Promise((r) => setImmediate(r));
      }
    };
    instantMs(c.idempotency, 'idempotency cutoff');
    return {
      verifications: await batches(this.s.pruneVerifications, instantMs(c.verifications, 'verification cutoff')),
      idempotency: await batches(this.s.pruneIdempotency, c.idempotency),
      notifications: await batches(this.s.pruneNotifications, instantMs(c.notifications, 'notification cutoff')),
      nonces: await batches(this.s.pruneNonces, instantMs(c.nonces, 'nonce cutoff')),
      ...(c.offers ? { offers: await batches(this.s.pruneOffers, instantMs(c.offers, 'offer cutoff')) } : {}),
      ...(c.presentationRequests
        ? {
            presentationRequests: await batches(
              this.s.prunePresentationRequests,
              instantMs(c.presentationRequests, 'presentation request cutoff'),
            ),
          }
        : {}),
    };
  }
}
