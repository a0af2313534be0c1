/**
 * The SQLite store opened read-only, as `anxin replay --store` opens it: nothing written, no
 * migration run (a store of an older schema version is read as it is), writes refused, a
 * newer schema refused with a clear message.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { SqliteStore, SQLITE_SCHEMA_VERSION } from '@anxin/gateway/store/sqlite';
import { tempDir } from '../helpers';

const ANCHOR = {
  id: 'urn:uuid:0b6f8f43-3d7e-4b8e-9d55-8a1f2b3c4d5e',
  type: 'HealthCertificate' as const,
  issuer: 'urn:anxin:issuer:chengdu-wuhou-cdc',
  kid: 'urn:anxin:issuer:chengdu-wuhou-cdc#k1',
  digest: 'a'.repeat(64),
  holderRef: 'b'.repeat(64),
  validFrom: '2026-03-20T00:00:00Z',
  status: 'active' as const,
  anchoredAt: '2026-03-20T08:00:00Z',
  txId: 'c'.repeat(64),
  block: 3,
  updatedAt: '2026-03-20T08:00:00Z',
  updatedBlock: 3,
  updatedTx: 0,
};

const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

async function storeWithAnchor(): Promise<string> {
  const file = join(tempDir('store-ro'), 'store.sqlite');
  const s = new SqliteStore(file);
  await s.putAnchor(ANCHOR);
  await s.close();
  // Fold the WAL into the file, so that the file's bytes are the whole store.
  const db = new Database(file);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return file;
}

describe('SQLite store, read only', () => {
  it('reads, refuses every write, and leaves the file byte for byte as it was', async () => {
    const file = await storeWithAnchor();
    const before = digest(file);
    const s = new SqliteStore(file, { readonly: true });
    expect(await s.getAnchor(ANCHOR.id)).to.deep.equal(ANCHOR);
    let refused: unknown;
    try {
      await s.putWebhook({ verifier: 'v', url: 'https://a.example/h', createdAt: '2026-05-01T00:00:00Z' });
    } catch (e) {
      refused = e;
    }
    expect(String(refused)).to.match(/readonly/i);
    await s.close();
    expect(digest(file)).to.equal(before);
  });

  it('an older schema version is read as it is: not migrated; what it lacks fails when asked for, naming the table', async () => {
    const file = await storeWithAnchor();
    const db = new Database(file);
    db.exec('DROP TABLE notifications; DROP TABLE webhooks;');
    db.pragma('user_version = 2');
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const before = digest(file);
    const s = new SqliteStore(file, { readonly: true });
    expect(await s.getAnchor(ANCHOR.id)).to.deep.equal(ANCHOR);
    let missing: unknown;
    try {
      await s.getWebhook('v');
    } catch (e) {
      missing = e;
    }
    expect(String(missing)).to.match(/no such table: webhooks .*older/);
    await s.close();
    expect(digest(file)).to.equal(before);
    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).to.equal(2);
    check.close();
  });

  it('a newer schema version, or no file at all: refused, saying so', async () => {
    const file = await storeWithAnchor();
    const db = new Database(file);
    db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => new SqliteStore(file, { readonly: true })).to.throw(/newer than this tool reads/);
    expect(() => new SqliteStore(join(tempDir('store-ro'), 'absent.sqlite'), { readonly: true })).to.throw();
  });
});
