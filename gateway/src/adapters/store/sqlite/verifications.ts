/** The verification log on SQLite, written with synchronous=NORMAL like the projection (see db.ts). */
import type { VerificationLogEntry, VerificationLogStore } from '../../../ports/store';
import type { SqliteDb } from './db';
import { compact, instantMs, opt, type Row } from './rows';

function statements(db: SqliteDb) {
  return {
    recordVerification: db.prepare(`
        INSERT INTO verifications (credential_id, verifier, at, at_ms, verified, binding)
        VALUES (@credential_id, @verifier, @at, @at_ms, @verified, @binding)
        ON CONFLICT (credential_id, verifier, at) DO NOTHING`),
    verifiersSince: db.prepare(`
        SELECT credential_id, verifier, at, verified FROM (
          SELECT v.*, ROW_NUMBER() OVER (PARTITION BY verifier ORDER BY at_ms DESC, at DESC, rowid DESC) AS rn
          FROM verifications v WHERE credential_id = ? AND at_ms >= ?
        ) WHERE rn = 1
        ORDER BY at_ms DESC, verifier`),
    verificationsOf: db.prepare(`
        SELECT credential_id, verifier, at, verified, binding FROM verifications
        WHERE credential_id IN (SELECT value FROM json_each(?))
        ORDER BY at_ms DESC, rowid DESC LIMIT ?`),
  };
}

export class SqliteVerificationLog implements VerificationLogStore {
  private readonly s: ReturnType<typeof statements>;

  constructor(private readonly db: SqliteDb) {
    this.s = statements(db);
  }

  async recordVerifications(entries: VerificationLogEntry[]): Promise<void> {
    this.db.check();
    const rows = entries.map((e) => ({
      credential_id: e.credentialId,
      verifier: e.verifier,
      at: e.at,
      at_ms: instantMs(e.at, 'verification time'),
      verified: e.verified ? 1 : 0,
      binding: e.binding ?? null,
    }));
    this.db.conn.transaction(() => {
      for (const r of rows) this.s.recordVerification.run(r);
    })();
  }

  async verifiersSince(credentialId: string, since: string): Promise<VerificationLogEntry[]> {
    this.db.check();
    const rows = this.s.verifiersSince.all(credentialId, instantMs(since, 'since')) as Row[];
    return rows.map((r) => ({
      credentialId: r.credential_id as string,
      verifier: r.verifier as string,
      at: r.at as string,
      verified: r.verified === 1,
    }));
  }

  async verificationsOf(credentialIds: readonly string[], limit: number): Promise<VerificationLogEntry[]> {
    this.db.check();
    if (!credentialIds.length) return [];
    const rows = this.s.verificationsOf.all(JSON.stringify(credentialIds), limit) as Row[];
    return rows.map((r) =>
      compact<VerificationLogEntry>({
        credentialId: r.credential_id as string,
        verifier: r.verifier as string,
        at: r.at as string,
        verified: r.verified === 1,
        binding: opt(r.binding as string | null),
      }),
    );
  }
}
