/**
 * The Store contract against the SQLite adapter (a temporary file, removed afterwards),
 * plus what only SQLite has: pragmas, the schema version, file permissions.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { after, describe, it } from 'mocha';
import { openStore } from '@anxin/gateway/store';
import { SQLITE_SCHEMA_VERSION, SqliteStore } from '@anxin/gateway/store/sqlite';
import { storeContract } from './store/contract';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anxin-store-sqlite-'));
const file = path.join(dir, 'store.db');

storeContract(
  'Store contract: SQLite (file)',
  () => openStore({ kind: 'sqlite', path: file }),
  async () => fs.rmSync(dir, { recursive: true, force: true }),
);

describe('SQLite store specifics', () => {
  const own = fs.mkdtempSync(path.join(os.tmpdir(), 'anxin-store-sqlite-x-'));
  after(() => fs.rmSync(own, { recursive: true, force: true }));

  it('creates the file 0600 (and its directory), in WAL mode, at the current schema version', async () => {
    const f = path.join(own, 'nested', 'dir', 'a.db');
    const s = new SqliteStore(f);
    await s.putCheckpoint('x', { block: 1, txIndex: 0 });
    await s.close();
    expect(fs.statSync(f).mode & 0o777).to.equal(0o600);
    const db = new Database(f, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).to.equal('wal');
      expect(db.pragma('user_version', { simple: true })).to.equal(SQLITE_SCHEMA_VERSION);
      expect(SQLITE_SCHEMA_VERSION).to.be.greaterThan(0);
    } finally {
      db.close();
    }
  });

  it('refuses a file whose schema is newer than it knows, with a clear message', async () => {
    const f = path.join(own, 'future.db');
    await new SqliteStore(f).close();
    const db = new Database(f);
    db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => new SqliteStore(f)).to.throw(/schema version .* newer than this gateway supports/);
  });

  it("':memory:' works and keeps nothing", async () => {
    const a = await openStore({ kind: 'sqlite', path: ':memory:' });
    await a.putCheckpoint('x', { block: 3, txIndex: 1 });
    expect(await a.getCheckpoint('x')).to.deep.equal({ block: 3, txIndex: 1 });
    await a.close();
    const b = await openStore({ kind: 'sqlite', path: ':memory:' });
    expect(await b.getCheckpoint('x')).to.equal(undefined);
    await b.close();
  });

  it('a closed store rejects calls and answers ping false; closing twice is harmless', async () => {
    const s = new SqliteStore(':memory:');
    await s.close();
    await s.close();
    expect(await s.ping()).to.equal(false);
    let err: unknown;
    await s.getApiKey('ak_x').catch((e: unknown) => (err = e));
    expect(String(err)).to.match(/closed/);
  });

  it('rejects a verification time that is not an instant (it would break ordering)', async () => {
    const s = new SqliteStore(':memory:');
    let err: unknown;
    await s
      .recordVerifications([{ credentialId: 'urn:uuid:x', verifier: 'v', at: 'yesterday', verified: true }])
      .catch((e: unknown) => (err = e));
    expect(String(err)).to.match(/not an RFC 3339 instant/);
    await s.close();
  });
});
