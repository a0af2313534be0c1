/** Credential records on SQLite. Writes are durable (see db.ts). */
import type { CredentialRecord, CredentialStore, HeldCredential } from '../../../ports/store';
import type { SqliteDb } from './db';
import { compact, json, jsonOrNull, opt, type Row } from './rows';

function statements(db: SqliteDb) {
  return {
    // An anchored record is never turned back into a pending one (a late retry of an
    // interrupted issuance must not undo its completion).
    putCredential: db.prepare(`
        INSERT INTO credentials (id, issuer, type, format, sealed, digest, anchor_statement, state, anchor, created_at, idempotency_key, holder_jkt)
        VALUES (@id, @issuer, @type, @format, @sealed, @digest, @anchor_statement, @state, @anchor, @created_at, @idempotency_key, @holder_jkt)
        ON CONFLICT (id) DO UPDATE SET
          issuer = excluded.issuer, type = excluded.type, format = excluded.format, sealed = excluded.sealed,
          digest = excluded.digest, anchor_statement = excluded.anchor_statement, state = excluded.state,
          anchor = excluded.anchor, created_at = excluded.created_at, idempotency_key = excluded.idempotency_key,
          holder_jkt = COALESCE(excluded.holder_jkt, credentials.holder_jkt)
        WHERE NOT (credentials.state = 'anchored' AND excluded.state = 'pending')`),
    createCredential: db.prepare(`
        INSERT INTO credentials (id, issuer, type, format, sealed, digest, anchor_statement, state, anchor, created_at, idempotency_key, holder_jkt)
        VALUES (@id, @issuer, @type, @format, @sealed, @digest, @anchor_statement, @state, @anchor, @created_at, @idempotency_key, @holder_jkt)
        ON CONFLICT (id) DO NOTHING`),
    getCredential: db.prepare(`SELECT * FROM credentials WHERE id = ?`),
    ofHolderKey: db.prepare(`
        SELECT id, type, issuer FROM credentials WHERE holder_jkt = ? AND holder_jkt <> ''
        ORDER BY created_at DESC, id LIMIT ?`),
    withoutHolderKey: db.prepare(`
        SELECT * FROM credentials WHERE holder_jkt IS NULL AND format = 'dc+sd-jwt' ORDER BY id LIMIT ?`),
    setHolderKey: db.prepare(`UPDATE credentials SET holder_jkt = ? WHERE id = ?`),
  };
}

export class SqliteCredentials implements CredentialStore {
  private readonly s: ReturnType<typeof statements>;

  constructor(private readonly db: SqliteDb) {
    this.s = statements(db);
  }

  async putCredential(r: CredentialRecord): Promise<void> {
    await this.db.durably(() => this.s.putCredential.run(credentialRow(r)));
  }

  async createCredential(r: CredentialRecord): Promise<CredentialRecord> {
    const row = credentialRow(r);
    // Insert-or-read in one IMMEDIATE transaction, like a claim.
    return this.db.durably(() =>
      this.db.conn
        .transaction((): CredentialRecord => {
          if (this.s.createCredential.run(row).changes === 1) return r;
          return credentialFromRow(this.s.getCredential.get(r.id) as Row);
        })
        .immediate(),
    );
  }

  async getCredential(id: string): Promise<CredentialRecord | undefined> {
    this.db.check();
    const row = this.s.getCredential.get(id) as Row | undefined;
    return row && credentialFromRow(row);
  }

  async credentialsOfHolderKey(jkt: string, limit: number): Promise<HeldCredential[]> {
    this.db.check();
    if (!jkt) return [];
    return (this.s.ofHolderKey.all(jkt, limit) as Row[]).map((r) => ({
      id: r.id as string,
      type: r.type as HeldCredential['type'],
      issuer: r.issuer as string,
    }));
  }

  async credentialsWithoutHolderKey(limit: number): Promise<CredentialRecord[]> {
    this.db.check();
    return (this.s.withoutHolderKey.all(limit) as Row[]).map(credentialFromRow);
  }

  async setHolderKey(id: string, jkt: string): Promise<void> {
    this.db.check();
    this.s.setHolderKey.run(jkt, id);
  }
}

function credentialFromRow(r: Row): CredentialRecord {
  return compact<CredentialRecord>({
    id: r.id as string,
    issuer: r.issuer as string,
    type: r.type as CredentialRecord['type'],
    format: r.format as CredentialRecord['format'],
    sealed: JSON.parse(r.sealed as string),
    digest: r.digest as string,
    anchorStatement: r.anchor_statement as string,
    state: r.state as CredentialRecord['state'],
    anchor: r.anchor === null ? undefined : JSON.parse(r.anchor as string),
    createdAt: r.created_at as string,
    idempotencyKey: opt(r.idempotency_key as string | null),
    holderJkt: opt(r.holder_jkt as string | null),
  });
}

function credentialRow(r: CredentialRecord) {
  return {
    id: r.id,
    issuer: r.issuer,
    type: r.type,
    format: r.format,
    sealed: json(r.sealed),
    digest: r.digest,
    anchor_statement: r.anchorStatement,
    state: r.state,
    anchor: jsonOrNull(r.anchor),
    created_at: r.createdAt,
    idempotency_key: r.idempotencyKey ?? null,
    holder_jkt: r.holderJkt ?? null,
  };
}
