/** One-time nonces on SQLite: a use is one conditional update, durable before it is answered. */
import type { NonceRecord, NonceStore, NonceUse } from '../../../ports/store';
import { whyNotUsable } from '../nonce-use';
import type { SqliteDb } from './db';
import { compact, instantMs, opt, type Row } from './rows';

function statements(db: SqliteDb) {
  return {
    putNonce: db.prepare(`
        INSERT INTO nonces (nonce, purpose, principal, aud, created_at, expires_at, expires_ms, used_at)
        VALUES (@nonce, @purpose, @principal, @aud, @created_at, @expires_at, @expires_ms, NULL)`),
    // Used at most once: the update matches only an unused, unexpired nonce of that purpose (and owner).
    useNonce: db.prepare(`
        UPDATE nonces SET used_at = @now
        WHERE nonce = @nonce AND purpose = @purpose AND used_at IS NULL AND expires_ms > @now_ms
          AND (@principal IS NULL OR principal = @principal)`),
    getNonce: db.prepare(`SELECT * FROM nonces WHERE nonce = ?`),
  };
}

export class SqliteNonces implements NonceStore {
  private readonly s: ReturnType<typeof statements>;

  constructor(private readonly db: SqliteDb) {
    this.s = statements(db);
  }

  async putNonce(r: NonceRecord): Promise<void> {
    this.db.check();
    // Not a durable write: a challenge lost to a power cut only makes its answer fail.
    this.s.putNonce.run({
      nonce: r.nonce,
      purpose: r.purpose,
      principal: r.principal ?? null,
      aud: r.aud ?? null,
      created_at: r.createdAt,
      expires_at: r.expiresAt,
      expires_ms: instantMs(r.expiresAt, 'nonce expiry'),
    });
  }

  async useNonce(
    q: { nonce: string; purpose: NonceRecord['purpose']; principal?: string },
    now: string,
  ): Promise<NonceUse> {
    const nowMs = instantMs(now, 'now');
    // Durable: a nonce marked used must still be used after a crash, or its answer could be replayed.
    return this.db.durably(() =>
      this.db.conn
        .transaction((): NonceUse => {
          const { changes } = this.s.useNonce.run({
            nonce: q.nonce,
            purpose: q.purpose,
            principal: q.principal ?? null,
            now,
            now_ms: nowMs,
          });
          const row = this.s.getNonce.get(q.nonce) as Row | undefined;
          const record = row && nonceFromRow(row);
          if (changes === 1) return { ok: true, record: record! };
          return { ok: false, why: whyNotUsable(record, q, nowMs) };
        })
        .immediate(),
    );
  }
}

function nonceFromRow(r: Row): NonceRecord {
  return compact<NonceRecord>({
    nonce: r.nonce as string,
    purpose: r.purpose as NonceRecord['purpose'],
    principal: opt(r.principal as string | null),
    aud: opt(r.aud as string | null),
    createdAt: r.created_at as string,
    expiresAt: r.expires_at as string,
    usedAt: opt(r.used_at as string | null),
  });
}
