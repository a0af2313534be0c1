/** API keys on SQLite. Writes are durable (see db.ts): a key handed out still works after a crash. */
import type { ApiKeyRecord, ApiKeyStore, Principal } from '../../../ports/store';
import type { SqliteDb } from './db';
import { compact, json, opt, type Row } from './rows';

function statements(db: SqliteDb) {
  return {
    putApiKey: db.prepare(`
        INSERT INTO api_keys (id, hash, principal_type, principal_id, scopes, label, created_at, revoked_at)
        VALUES (@id, @hash, @principal_type, @principal_id, @scopes, @label, @created_at, @revoked_at)
        ON CONFLICT (id) DO UPDATE SET
          hash = excluded.hash, principal_type = excluded.principal_type, principal_id = excluded.principal_id,
          scopes = excluded.scopes, label = excluded.label, created_at = excluded.created_at, revoked_at = excluded.revoked_at`),
    getApiKey: db.prepare(`SELECT * FROM api_keys WHERE id = ?`),
    listApiKeys: db.prepare(`SELECT * FROM api_keys ORDER BY created_at, id`),
    listApiKeysOf: db.prepare(
      `SELECT * FROM api_keys WHERE principal_type = ? AND principal_id = ? ORDER BY created_at, id`,
    ),
  };
}

export class SqliteApiKeys implements ApiKeyStore {
  private readonly s: ReturnType<typeof statements>;

  constructor(private readonly db: SqliteDb) {
    this.s = statements(db);
  }

  async putApiKey(r: ApiKeyRecord): Promise<void> {
    await this.db.durably(() =>
      this.s.putApiKey.run({
        id: r.id,
        hash: r.hash,
        principal_type: r.principal.type,
        principal_id: r.principal.id,
        scopes: json(r.scopes),
        label: r.label ?? null,
        created_at: r.createdAt,
        revoked_at: r.revokedAt ?? null,
      }),
    );
  }

  async getApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    this.db.check();
    const row = this.s.getApiKey.get(id) as Row | undefined;
    return row && apiKeyFromRow(row);
  }

  async listApiKeys(principal?: Principal): Promise<ApiKeyRecord[]> {
    this.db.check();
    const rows = (
      principal ? this.s.listApiKeysOf.all(principal.type, principal.id) : this.s.listApiKeys.all()
    ) as Row[];
    return rows.map(apiKeyFromRow);
  }
}

function apiKeyFromRow(r: Row): ApiKeyRecord {
  return compact<ApiKeyRecord>({
    id: r.id as string,
    hash: r.hash as string,
    principal: { type: r.principal_type as ApiKeyRecord['principal']['type'], id: r.principal_id as string },
    scopes: JSON.parse(r.scopes as string),
    label: opt(r.label as string | null),
    createdAt: r.created_at as string,
    revokedAt: opt(r.revoked_at as string | null),
  });
}
