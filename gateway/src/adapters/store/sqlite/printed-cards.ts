/** Printed work cards on SQLite: one row each, the secret's hash only. */
import type { PrintedCardRecord, PrintedCardStore } from '../../../ports/store';
import type { SqliteDb } from './db';
import { compact, opt, type Row } from './rows';

function statements(db: SqliteDb) {
  return {
    put: db.prepare(`
        INSERT INTO printed_cards (id, credential_id, issuer, secret_hash, disclose, created_at, revoked_at)
        VALUES (@id, @credential_id, @issuer, @secret_hash, @disclose, @created_at, NULL)`),
    get: db.prepare(`SELECT * FROM printed_cards WHERE id = ?`),
    revoke: db.prepare(`UPDATE printed_cards SET revoked_at = COALESCE(revoked_at, @at) WHERE id = @id`),
  };
}

export class SqlitePrintedCards implements PrintedCardStore {
  private readonly s: ReturnType<typeof statements>;

  constructor(private readonly db: SqliteDb) {
    this.s = statements(db);
  }

  async putPrintedCard(r: PrintedCardRecord): Promise<void> {
    this.db.check();
    // Durable: a card handed out on paper must still verify after a crash.
    await this.db.durably(() =>
      this.s.put.run({
        id: r.id,
        credential_id: r.credentialId,
        issuer: r.issuer,
        secret_hash: r.secretHash,
        disclose: JSON.stringify(r.disclose),
        created_at: r.createdAt,
      }),
    );
  }

  async getPrintedCard(id: string): Promise<PrintedCardRecord | undefined> {
    this.db.check();
    const r = this.s.get.get(id) as Row | undefined;
    return r && cardFromRow(r);
  }

  async revokePrintedCard(id: string, at: string): Promise<boolean> {
    this.db.check();
    // Durable: a withdrawn card must not verify again after a crash.
    return this.db.durably(() => this.s.revoke.run({ id, at }).changes === 1);
  }
}

function cardFromRow(r: Row): PrintedCardRecord {
  return compact<PrintedCardRecord>({
    id: r.id as string,
    credentialId: r.credential_id as string,
    issuer: r.issuer as string,
    secretHash: r.secret_hash as string,
    disclose: JSON.parse(r.disclose as string) as string[],
    createdAt: r.created_at as string,
    revokedAt: opt(r.revoked_at as string | null),
  });
}
