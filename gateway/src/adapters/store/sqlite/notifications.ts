/**
 * The outbox of notifications on SQLite. Queuing and settling are durable writes (see
 * db.ts); a lease is a conditional update inside an IMMEDIATE transaction, so gateways
 * sharing the file never lease the same notice at once.
 */
import type { NotificationOutcome, NotificationRecord, NotificationStore } from '../../../ports/store';
import type { SqliteDb } from './db';
import { compact, instantMs, opt, type Row } from './rows';

function statements(db: SqliteDb) {
  return {
    enqueueNotification: db.prepare(`
        INSERT INTO notifications (id, verifier, url, credential_id, body, state, attempts, next_attempt_at,
                                   next_attempt_ms, created_at, created_ms, last_error, delivered_at)
        VALUES (@id, @verifier, @url, @credential_id, @body, @state, @attempts, @next_attempt_at,
                @next_attempt_ms, @created_at, @created_ms, @last_error, @delivered_at)
        ON CONFLICT (id) DO NOTHING`),
    // The lease's end is the next attempt's time: should the owner never report, the
    // notification is due again then, for any gateway.
    claimNotifications: db.prepare(`
        UPDATE notifications SET lease_owner = @owner, attempts = attempts + 1,
          next_attempt_at = @until, next_attempt_ms = @until_ms
        WHERE rowid IN (SELECT rowid FROM notifications WHERE state = 'pending' AND next_attempt_ms <= @now_ms
                        ORDER BY next_attempt_ms, created_ms, id LIMIT @limit)
        RETURNING *`),
    notificationDelivered: db.prepare(`
        UPDATE notifications SET state = 'delivered', delivered_at = @at, last_error = NULL, lease_owner = NULL
        WHERE id = @id AND state <> 'delivered'`),
    notificationFailed: db.prepare(`
        UPDATE notifications SET state = @state, last_error = @error, next_attempt_at = @next_attempt_at,
          next_attempt_ms = @next_attempt_ms, lease_owner = NULL
        WHERE id = @id AND state = 'pending' AND lease_owner = @owner`),
    listNotifications: db.prepare(
      `SELECT * FROM notifications WHERE verifier = ? ORDER BY created_ms DESC, id DESC LIMIT ?`,
    ),
    countNotifications: db.prepare(`SELECT state, count(*) AS n FROM notifications GROUP BY state`),
  };
}

export class SqliteNotifications implements NotificationStore {
  private readonly s: ReturnType<typeof statements>;

  constructor(private readonly db: SqliteDb) {
    this.s = statements(db);
  }

  async enqueueNotifications(n: NotificationRecord[]): Promise<number> {
    const rows = n.map((x) => ({
      ...notificationRow(x),
      credential_id: x.credentialId,
      body: x.body,
      verifier: x.verifier,
      url: x.url,
      created_at: x.createdAt,
      created_ms: instantMs(x.createdAt, 'notification time'),
    }));
    return this.db.durably(() =>
      this.db.conn.transaction(() => rows.reduce((added, r) => added + this.s.enqueueNotification.run(r).changes, 0))(),
    );
  }

  async claimDueNotifications(
    now: string,
    limit: number,
    owner: string,
    leaseMs: number,
  ): Promise<NotificationRecord[]> {
    this.db.check();
    const nowMs = instantMs(now, 'now');
    const until = new Date(nowMs + leaseMs);
    const params = { owner, now_ms: nowMs, until: until.toISOString(), until_ms: until.getTime(), limit };
    // IMMEDIATE: the write lock is taken before the due rows are chosen, so another
    // connection (another gateway on the same file) waits and then sees them leased.
    const rows = this.db.conn.transaction(() => this.s.claimNotifications.all(params) as Row[]).immediate();
    return rows
      .sort((a, b) => (a.created_ms as number) - (b.created_ms as number) || String(a.id).localeCompare(String(b.id)))
      .map(notificationOf);
  }

  async settleNotification(id: string, owner: string, outcome: NotificationOutcome): Promise<boolean> {
    const run =
      outcome.state === 'delivered'
        ? () => this.s.notificationDelivered.run({ id, at: outcome.at })
        : () =>
            this.s.notificationFailed.run({
              id,
              owner,
              state: outcome.state,
              error: outcome.error,
              next_attempt_at: outcome.nextAttemptAt,
              next_attempt_ms: instantMs(outcome.nextAttemptAt, 'next attempt time'),
            });
    return (await this.db.durably(run)).changes === 1;
  }

  async listNotifications(verifier: string, limit: number): Promise<NotificationRecord[]> {
    this.db.check();
    return (this.s.listNotifications.all(verifier, limit) as Row[]).map(notificationOf);
  }

  async countNotifications(): Promise<Record<NotificationRecord['state'], number>> {
    this.db.check();
    const counts = { pending: 0, delivered: 0, failed: 0 };
    for (const r of this.s.countNotifications.all() as Array<{ state: keyof typeof counts; n: number }>) {
      if (r.state in counts) counts[r.state] = r.n;
    }
    return counts;
  }
}

/** The columns of a notification's delivery state. */
function notificationRow(n: NotificationRecord) {
  return {
    id: n.id,
    state: n.state,
    attempts: n.attempts,
    next_attempt_at: n.nextAttemptAt,
    next_attempt_ms: instantMs(n.nextAttemptAt, 'next attempt time'),
    last_error: n.lastError ?? null,
    delivered_at: n.deliveredAt ?? null,
  };
}

function notificationOf(r: Row): NotificationRecord {
  return compact({
    id: r.id as string,
    verifier: r.verifier as string,
    url: r.url as string,
    credentialId: r.credential_id as string,
    body: r.body as string,
    state: r.state as NotificationRecord['state'],
    attempts: r.attempts as number,
    nextAttemptAt: r.next_attempt_at as string,
    createdAt: r.created_at as string,
    lastError: opt(r.last_error as string | null),
    deliveredAt: opt(r.delivered_at as string | null),
  });
}
