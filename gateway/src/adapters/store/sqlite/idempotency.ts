/**
 * Idempotency claims on SQLite. Writes are durable (see db.ts); each condition and its
 * effect are one statement or one IMMEDIATE transaction, so concurrent claimers on the same
 * file see one winner.
 */
import type { IdempotencyRecord, IdempotencyStore } from '../../../ports/store';
import type { SqliteDb } from './db';
import { compact, instantMs, json, jsonOrNull, opt, type Row } from './rows';

function statements(db: SqliteDb) {
  return {
    claimIdempotency: db.prepare(`
        INSERT INTO idempotency (principal, key, request_hash, response, resource, created_at, lease_until, lease_ms)
        VALUES (@principal, @key, @request_hash, @response, @resource, @created_at, @lease_until, @lease_ms)
        ON CONFLICT (principal, key) DO NOTHING`),
    getIdempotency: db.prepare(`SELECT * FROM idempotency WHERE principal = ? AND key = ?`),
    // Open, and its lease (if any) ended: the condition and the new lease in one statement.
    takeOverIdempotency: db.prepare(`
        UPDATE idempotency SET lease_until = @lease_until, lease_ms = @lease_ms
        WHERE principal = @principal AND key = @key AND response IS NULL AND (lease_ms IS NULL OR lease_ms <= @now_ms)
        RETURNING *`),
    completeIdempotency: db.prepare(
      `UPDATE idempotency SET response = ?, lease_until = NULL, lease_ms = NULL WHERE principal = ? AND key = ?`,
    ),
    yieldIdempotency: db.prepare(`
        UPDATE idempotency SET lease_until = NULL, lease_ms = NULL
        WHERE principal = ? AND key = ? AND response IS NULL AND lease_until = ?`),
    releaseIdempotency: db.prepare(`
        DELETE FROM idempotency WHERE principal = @principal AND key = @key AND response IS NULL
          AND (@lease_until IS NULL OR lease_until = @lease_until)`),
  };
}

export class SqliteIdempotency implements IdempotencyStore {
  private readonly s: ReturnType<typeof statements>;

  constructor(private readonly db: SqliteDb) {
    this.s = statements(db);
  }

  async claimIdempotencyKey(r: IdempotencyRecord): Promise<IdempotencyRecord | undefined> {
    // Insert-or-read in one IMMEDIATE transaction: another connection (another process on
    // the same file) can neither insert nor release between our insert and our read.
    return this.db.durably(() =>
      this.db.conn
        .transaction((): IdempotencyRecord | undefined => {
          const { changes } = this.s.claimIdempotency.run({
            principal: r.principal,
            key: r.key,
            request_hash: r.requestHash,
            response: jsonOrNull(r.response),
            resource: r.resource ?? null,
            created_at: r.createdAt,
            lease_until: r.leaseUntil ?? null,
            lease_ms: r.leaseUntil === undefined ? null : instantMs(r.leaseUntil, 'lease end'),
          });
          if (changes === 1) return undefined;
          return idempotencyFromRow(this.s.getIdempotency.get(r.principal, r.key) as Row);
        })
        .immediate(),
    );
  }

  async takeOverIdempotencyKey(
    principal: string,
    key: string,
    now: string,
    leaseUntil: string,
  ): Promise<IdempotencyRecord | undefined> {
    const params = {
      principal,
      key,
      now_ms: instantMs(now, 'now'),
      lease_until: leaseUntil,
      lease_ms: instantMs(leaseUntil, 'lease end'),
    };
    const row = await this.db.durably(() => this.s.takeOverIdempotency.get(params) as Row | undefined);
    return row && idempotencyFromRow(row);
  }

  async completeIdempotencyKey(
    principal: string,
    key: string,
    response: { status: number; body: unknown },
  ): Promise<void> {
    await this.db.durably(() => this.s.completeIdempotency.run(json(response), principal, key));
  }

  async yieldIdempotencyKey(principal: string, key: string, leaseUntil: string): Promise<void> {
    await this.db.durably(() => this.s.yieldIdempotency.run(principal, key, leaseUntil));
  }

  async releaseIdempotencyKey(principal: string, key: string, leaseUntil?: string): Promise<void> {
    await this.db.durably(() => this.s.releaseIdempotency.run({ principal, key, lease_until: leaseUntil ?? null }));
  }
}

function idempotencyFromRow(r: Row): IdempotencyRecord {
  return compact<IdempotencyRecord>({
    principal: r.principal as string,
    key: r.key as string,
    requestHash: r.request_hash as string,
    response: r.response === null ? undefined : JSON.parse(r.response as string),
    resource: opt(r.resource as string | null),
    createdAt: r.created_at as string,
    leaseUntil: opt(r.lease_until as string | null | undefined),
  });
}
