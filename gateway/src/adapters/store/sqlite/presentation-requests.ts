/** Presentation requests on SQLite: the answer is one conditional update, durable before it is acknowledged. */
import type { PresentationRequestStore, Sealed, StoredPresentationRequest } from '../../../ports/store';
import type { SqliteDb } from './db';
import { compact, instantMs, json, opt, type Row } from './rows';

function statements(db: SqliteDb) {
  return {
    put: db.prepare(`
        INSERT INTO presentation_requests (id, verifier_type, verifier_id, request, created_at, expires_at, expires_ms)
        VALUES (@id, @verifier_type, @verifier_id, @request, @created_at, @expires_at, @expires_ms)`),
    get: db.prepare(`SELECT * FROM presentation_requests WHERE id = ?`),
    pending: db.prepare(`SELECT count(*) AS n FROM presentation_requests WHERE answered_at IS NULL AND expires_ms > ?`),
    // Once: only a request not answered yet and not expired.
    answer: db.prepare(`
        UPDATE presentation_requests SET answered_at = @answered_at, answer = @answer
        WHERE id = @id AND answered_at IS NULL AND expires_ms > @now_ms`),
  };
}

export class SqlitePresentationRequests implements PresentationRequestStore {
  private readonly s: ReturnType<typeof statements>;

  constructor(private readonly db: SqliteDb) {
    this.s = statements(db);
  }

  async putPresentationRequest(r: StoredPresentationRequest): Promise<void> {
    await this.db.durably(() =>
      this.s.put.run({
        id: r.id,
        verifier_type: r.verifier.type,
        verifier_id: r.verifier.id,
        request: json(r.request),
        created_at: r.createdAt,
        expires_at: r.expiresAt,
        expires_ms: instantMs(r.expiresAt, 'presentation request expiry'),
      }),
    );
  }

  async getPresentationRequest(id: string): Promise<StoredPresentationRequest | undefined> {
    this.db.check();
    const row = this.s.get.get(id) as Row | undefined;
    return row && fromRow(row);
  }

  async countPendingPresentationRequests(now: string): Promise<number> {
    this.db.check();
    return (this.s.pending.get(instantMs(now, 'now')) as { n: number }).n;
  }

  async answerPresentationRequest(id: string, a: { answeredAt: string; answer: Sealed }): Promise<boolean> {
    const { changes } = await this.db.durably(() =>
      this.s.answer.run({
        id,
        answered_at: a.answeredAt,
        answer: json(a.answer),
        now_ms: instantMs(a.answeredAt, 'now'),
      }),
    );
    return changes === 1;
  }
}

function fromRow(r: Row): StoredPresentationRequest {
  const answer = opt(r.answer as string | null);
  return compact<StoredPresentationRequest>({
    id: r.id as string,
    verifier: { type: r.verifier_type as StoredPresentationRequest['verifier']['type'], id: r.verifier_id as string },
    request: JSON.parse(r.request as string) as Record<string, unknown>,
    createdAt: r.created_at as string,
    expiresAt: r.expires_at as string,
    answeredAt: opt(r.answered_at as string | null),
    answer: answer === undefined ? undefined : (JSON.parse(answer) as Sealed),
  });
}
