/** The store's identity on SQLite: one row, written once, durably (see db.ts). */
import type { IdentityStore, StoreIdentity } from '../../../ports/store';
import type { SqliteDb } from './db';
import type { Row } from './rows';

function statements(db: SqliteDb) {
  return {
    claim: db.prepare(`
        INSERT INTO store_identity (id, ledger_channel, genesis_hash, kek, created_at)
        VALUES (1, @channel, @genesis_hash, @kek, @created_at)
        ON CONFLICT (id) DO NOTHING`),
    get: db.prepare(`SELECT * FROM store_identity WHERE id = 1`),
    setKek: db.prepare(`UPDATE store_identity SET kek = @kek WHERE id = 1`),
  };
}

function fromRow(r: Row): StoreIdentity {
  return {
    ledger: { channel: r.ledger_channel as string, genesisHash: r.genesis_hash as string },
    kek: r.kek as string,
    createdAt: r.created_at as string,
  };
}

export class SqliteIdentity implements IdentityStore {
  private readonly s: ReturnType<typeof statements>;

  constructor(private readonly db: SqliteDb) {
    this.s = statements(db);
  }

  async getIdentity(): Promise<StoreIdentity | undefined> {
    this.db.check();
    const r = this.s.get.get() as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  async claimIdentity(identity: StoreIdentity): Promise<StoreIdentity> {
    await this.db.durably(() =>
      this.s.claim.run({
        channel: identity.ledger.channel,
        genesis_hash: identity.ledger.genesisHash,
        kek: identity.kek,
        created_at: identity.createdAt,
      }),
    );
    return fromRow(this.s.get.get() as Row);
  }

  async recordIdentityKek(kek: string): Promise<void> {
    await this.db.durably(() => this.s.setKek.run({ kek }));
  }
}
