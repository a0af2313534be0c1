/** Re-sealing on SQLite: one UPDATE per record, matched on its current ciphertext. Writes are durable (see db.ts). */
import type { ResealStore, Sealed, SealedEntry, SealedKind } from '../../../ports/store';
import type { SqliteDb } from './db';
import { json, type Row } from './rows';

function statements(db: SqliteDb) {
  return {
    list: {
      custodial_key: db.prepare(`SELECT kid AS id, sealed FROM custodial_keys WHERE kid > ? ORDER BY kid LIMIT ?`),
      credential: db.prepare(`SELECT id, sealed FROM credentials WHERE id > ? ORDER BY id LIMIT ?`),
    },
    replace: {
      custodial_key: db.prepare(
        `UPDATE custodial_keys SET sealed = @next WHERE kid = @id AND json_extract(sealed, '$.ct') = @ct`,
      ),
      credential: db.prepare(
        `UPDATE credentials SET sealed = @next WHERE id = @id AND json_extract(sealed, '$.ct') = @ct`,
      ),
    },
  };
}

export class SqliteResealing implements ResealStore {
  private readonly s: ReturnType<typeof statements>;

  constructor(private readonly db: SqliteDb) {
    this.s = statements(db);
  }

  async listSealed(kind: SealedKind, after: string | undefined, limit: number): Promise<SealedEntry[]> {
    this.db.check();
    return (this.s.list[kind].all(after ?? '', limit) as Row[]).map((r) => ({
      kind,
      id: r.id as string,
      sealed: JSON.parse(r.sealed as string) as Sealed,
    }));
  }

  async replaceSealed(kind: SealedKind, id: string, expected: Sealed, next: Sealed): Promise<boolean> {
    const r = await this.db.durably(() => this.s.replace[kind].run({ id, ct: expected.ct, next: json(next) }));
    return r.changes === 1;
  }
}
