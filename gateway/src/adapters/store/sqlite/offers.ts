/** Credential offers on SQLite: a redemption is one conditional update, durable before it is answered. */
import type { OfferRecord, OfferStore } from '../../../ports/store';
import type { SqliteDb } from './db';
import { compact, instantMs, json, opt, type Row } from './rows';

function statements(db: SqliteDb) {
  return {
    putOffer: db.prepare(`
        INSERT INTO credential_offers (id, issuer, configuration_id, sealed, code_hash, pin_hash, pin_salt,
          created_at, expires_at, expires_ms, failures)
        VALUES (@id, @issuer, @configuration_id, @sealed, @code_hash, @pin_hash, @pin_salt,
          @created_at, @expires_at, @expires_ms, @failures)`),
    getOffer: db.prepare(`SELECT * FROM credential_offers WHERE id = ?`),
    byCode: db.prepare(`SELECT * FROM credential_offers WHERE code_hash = ?`),
    byToken: db.prepare(`SELECT * FROM credential_offers WHERE token_hash = ?`),
    fail: db.prepare(`UPDATE credential_offers SET failures = failures + 1 WHERE id = ? RETURNING failures`),
    // Once: only an offer not redeemed, not expired, and not killed by wrong PINs.
    redeem: db.prepare(`
        UPDATE credential_offers SET redeemed_at = @redeemed_at, token_hash = @token_hash,
          token_expires_at = @token_expires_at
        WHERE id = @id AND redeemed_at IS NULL AND expires_ms > @now_ms AND failures < @max_failures`),
    complete: db.prepare(`UPDATE credential_offers SET credential_id = @credential_id WHERE id = @id`),
  };
}

export class SqliteOffers implements OfferStore {
  private readonly s: ReturnType<typeof statements>;

  constructor(private readonly db: SqliteDb) {
    this.s = statements(db);
  }

  async putOffer(r: OfferRecord): Promise<void> {
    await this.db.durably(() =>
      this.s.putOffer.run({
        id: r.id,
        issuer: r.issuer,
        configuration_id: r.configurationId,
        sealed: json(r.sealed),
        code_hash: r.codeHash,
        pin_hash: r.pinHash,
        pin_salt: r.pinSalt,
        created_at: r.createdAt,
        expires_at: r.expiresAt,
        expires_ms: instantMs(r.expiresAt, 'offer expiry'),
        failures: r.failures,
      }),
    );
  }

  async getOffer(id: string): Promise<OfferRecord | undefined> {
    this.db.check();
    const row = this.s.getOffer.get(id) as Row | undefined;
    return row && offerFromRow(row);
  }

  async findOffer(q: { codeHash: string } | { tokenHash: string }): Promise<OfferRecord | undefined> {
    this.db.check();
    const row = ('codeHash' in q ? this.s.byCode.get(q.codeHash) : this.s.byToken.get(q.tokenHash)) as Row | undefined;
    return row && offerFromRow(row);
  }

  async countOfferFailure(id: string): Promise<number> {
    // Durable: a wrong PIN forgotten in a crash would be a free guess.
    const row = await this.db.durably(() => this.s.fail.get(id) as Row | undefined);
    return row ? (row.failures as number) : 0;
  }

  async redeemOffer(
    id: string,
    redemption: { redeemedAt: string; tokenHash: string; tokenExpiresAt: string },
    maxFailures: number,
  ): Promise<boolean> {
    const { changes } = await this.db.durably(() =>
      this.s.redeem.run({
        id,
        redeemed_at: redemption.redeemedAt,
        token_hash: redemption.tokenHash,
        token_expires_at: redemption.tokenExpiresAt,
        now_ms: instantMs(redemption.redeemedAt, 'now'),
        max_failures: maxFailures,
      }),
    );
    return changes === 1;
  }

  async completeOffer(id: string, credentialId: string): Promise<void> {
    await this.db.durably(() => this.s.complete.run({ id, credential_id: credentialId }));
  }
}

function offerFromRow(r: Row): OfferRecord {
  return compact<OfferRecord>({
    id: r.id as string,
    issuer: r.issuer as string,
    configurationId: r.configuration_id as string,
    sealed: JSON.parse(r.sealed as string) as OfferRecord['sealed'],
    codeHash: r.code_hash as string,
    pinHash: r.pin_hash as string,
    pinSalt: r.pin_salt as string,
    createdAt: r.created_at as string,
    expiresAt: r.expires_at as string,
    failures: r.failures as number,
    redeemedAt: opt(r.redeemed_at as string | null),
    tokenHash: opt(r.token_hash as string | null),
    tokenExpiresAt: opt(r.token_expires_at as string | null),
    credentialId: opt(r.credential_id as string | null),
  });
}
