/** Custodial keys on SQLite. Writes are durable (see db.ts). */
import type { CustodialKeyRecord, CustodialKeyStore } from '../../../ports/store';
import type { SqliteDb } from './db';
import { json, type Row } from './rows';

function statements(db: SqliteDb) {
  return {
    putCustodialKey: db.prepare(`
        INSERT INTO custodial_keys (kid, owner, alg, public_jwk, sealed, created_at)
        VALUES (@kid, @owner, @alg, @public_jwk, @sealed, @created_at)
        ON CONFLICT (kid) DO UPDATE SET
          owner = excluded.owner, alg = excluded.alg, public_jwk = excluded.public_jwk,
          sealed = excluded.sealed, created_at = excluded.created_at`),
    getCustodialKey: db.prepare(`SELECT * FROM custodial_keys WHERE kid = ?`),
    listCustodialKeys: db.prepare(`SELECT * FROM custodial_keys WHERE owner = ? ORDER BY created_at, kid`),
  };
}

export class SqliteCustodialKeys implements CustodialKeyStore {
  private readonly s: ReturnType<typeof statements>;

  constructor(private readonly db: SqliteDb) {
    this.s = statements(db);
  }

  async putCustodialKey(r: CustodialKeyRecord): Promise<void> {
    await this.db.durably(() =>
      this.s.putCustodialKey.run({
        kid: r.kid,
        owner: r.owner,
        alg: r.alg,
        public_jwk: json(r.publicJwk),
        sealed: json(r.sealed),
        created_at: r.createdAt,
      }),
    );
  }

  async getCustodialKey(kid: string): Promise<CustodialKeyRecord | undefined> {
    this.db.check();
    const row = this.s.getCustodialKey.get(kid) as Row | undefined;
    return row && custodialKeyFromRow(row);
  }

  async listCustodialKeys(owner: string): Promise<CustodialKeyRecord[]> {
    this.db.check();
    return (this.s.listCustodialKeys.all(owner) as Row[]).map(custodialKeyFromRow);
  }
}

function custodialKeyFromRow(r: Row): CustodialKeyRecord {
  return {
    kid: r.kid as string,
    owner: r.owner as string,
    alg: r.alg as CustodialKeyRecord['alg'],
    publicJwk: JSON.parse(r.public_jwk as string),
    sealed: JSON.parse(r.sealed as string),
    createdAt: r.created_at as string,
  };
}
