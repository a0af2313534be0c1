/**
 * A gateway started on a store, a key-encryption key and a ledger that do not belong
 * together stops, with one line and a stable code, and changes nothing: a deleted kek.key
 * is not recreated, a deleted store does not become a first start (admin.key stays), a store
 * over another network's ledger (or over none) does not start, nor does a ledger whose block
 * 0 has a flipped byte. What does belong together restarts as before.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { afterEach, describe, it } from 'mocha';
import { KekError, StartupError, loadConfig, startGateway } from '@anxin/gateway';
import { TestGateway, expectVerified } from '../../helpers/gateway';

const MAIN = resolve(__dirname, '../../../../gateway/dist/main.js');

/** The gateway's start on `env` fails: the error it throws. */
async function refused(env: Record<string, string>): Promise<StartupError | KekError> {
  try {
    const running = await startGateway(loadConfig(env));
    await running.close();
  } catch (e) {
    expect(e, String(e)).to.satisfy((x: unknown) => x instanceof StartupError || x instanceof KekError);
    return e as StartupError;
  }
  throw new Error('expected the gateway to refuse to start');
}

/** `npm start`'s entry on `env`: its exit status, and the code on its last line. */
function npmStart(env: Record<string, string>): { status: number | null; code?: string; lines: number } {
  const r = spawnSync(process.execPath, [MAIN], {
    env: { ...process.env, ...env, ANXIN_LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const lines = r.stderr.trim().split('\n').filter(Boolean);
  const code = /^anxin: cannot start \(([a-z_]+)\)/.exec(lines.at(-1) ?? '')?.[1];
  return { status: r.status, ...(code ? { code } : {}), lines: lines.length };
}

describe('e2e: start-up refuses a store, a KEK and a ledger that do not belong together', function () {
  this.timeout(120_000);
  const gateways: TestGateway[] = [];

  afterEach(async () => {
    for (const gw of gateways.splice(0)) await gw.stop().catch(() => undefined);
  });

  /** A gateway that has issued one credential, then stopped. */
  async function used(): Promise<{ gw: TestGateway; credential: string; adminKey: string }> {
    const gw = await TestGateway.start();
    gateways.push(gw);
    const issuer = await gw.registerIssuer({ allowedTypes: ['SkillCertificate'] });
    const c = await gw.issue(issuer.apiKey, 'SkillCertificate');
    await gw.running.close();
    return { gw, credential: c.credential, adminKey: readFileSync(join(gw.dataDir, 'admin.key'), 'utf8') };
  }

  it('data that belongs together restarts, and what it issued verifies', async () => {
    const { gw, credential } = await used();
    await gw.restart();
    expectVerified(await gw.verify(await gw.verifierKey(), credential));
  });

  it('a deleted kek.key is not recreated: the store holds keys sealed under it (kek_missing)', async () => {
    const { gw } = await used();
    const kek = join(gw.dataDir, 'kek.key');
    rmSync(kek);
    expect((await refused(gw.env)).code).to.equal('kek_missing');
    expect(existsSync(kek), 'no new kek.key').to.equal(false);
    const r = npmStart(gw.env);
    expect(r).to.deep.include({ status: 3, code: 'kek_missing', lines: 1 });
    expect(existsSync(kek)).to.equal(false);
  });

  it('another KEK than the one the store is sealed under is refused (kek_mismatch)', async () => {
    const { gw } = await used();
    writeFileSync(join(gw.dataDir, 'kek.key'), randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
    expect((await refused(gw.env)).code).to.equal('kek_mismatch');
  });

  it('a deleted store over an initialised ledger is no first start: admin.key stays (store_missing)', async () => {
    const { gw, adminKey } = await used();
    for (const f of ['store.sqlite', 'store.sqlite-wal', 'store.sqlite-shm'])
      rmSync(join(gw.dataDir, f), { force: true });
    expect((await refused(gw.env)).code).to.equal('store_missing');
    expect(readFileSync(join(gw.dataDir, 'admin.key'), 'utf8')).to.equal(adminKey);
    const r = npmStart(gw.env);
    expect(r).to.deep.include({ status: 3, code: 'store_missing', lines: 1 });
    expect(readFileSync(join(gw.dataDir, 'admin.key'), 'utf8')).to.equal(adminKey);
  });

  it('a store over another network’s ledger does not start (ledger_mismatch)', async () => {
    const a = await used();
    const b = await used();
    // b's store and KEK, over a's ledger: a's credentials must not verify as anchored through b.
    rmSync(join(b.gw.dataDir, 'ledger'), { recursive: true });
    cpSync(join(a.gw.dataDir, 'ledger'), join(b.gw.dataDir, 'ledger'), { recursive: true });
    expect((await refused(b.gw.env)).code).to.equal('ledger_mismatch');
    expect(npmStart(b.gw.env)).to.deep.include({ status: 3, code: 'ledger_mismatch', lines: 1 });
  });

  it('a store written before identities were recorded: over its own ledger it starts and records one; over another it does not', async () => {
    const forget = (dataDir: string) => {
      const db = new Database(join(dataDir, 'store.sqlite'));
      db.prepare('DELETE FROM store_identity').run();
      db.close();
    };
    const a = await used();
    forget(a.gw.dataDir);
    await a.gw.restart();
    expect(await a.gw.services.store.getIdentity()).to.not.equal(undefined);
    await a.gw.running.close();
    const b = await used();
    forget(b.gw.dataDir);
    rmSync(join(b.gw.dataDir, 'ledger'), { recursive: true });
    cpSync(join(a.gw.dataDir, 'ledger'), join(b.gw.dataDir, 'ledger'), { recursive: true });
    expect((await refused(b.gw.env)).code, 'its registrar key is not the ledger’s').to.equal('ledger_mismatch');
  });

  it('a store whose ledger is gone does not start over a new one (ledger_missing)', async () => {
    const { gw } = await used();
    renameSync(join(gw.dataDir, 'ledger'), join(gw.dataDir, 'ledger.moved'));
    expect((await refused(gw.env)).code).to.equal('ledger_missing');
    expect(existsSync(join(gw.dataDir, 'ledger')), 'no new ledger was created').to.equal(false);
  });

  it('block 0 with a flipped byte is refused, with or without the ledger’s index', async () => {
    const { gw } = await used();
    const file = join(gw.dataDir, 'ledger', 'chains', 'anxin', 'blockfile_000000');
    const bytes = readFileSync(file);
    // Inside block 0's data (its config envelope), well past the length prefix and the header.
    const at = 200;
    expect(bytes.length).to.be.greaterThan(at);
    bytes[at] ^= 0x01;
    writeFileSync(file, bytes);
    expect((await refused(gw.env)).code).to.equal('ledger_unreadable');
    rmSync(join(gw.dataDir, 'ledger', 'index'), { recursive: true });
    expect((await refused(gw.env)).code).to.equal('ledger_unreadable');
    expect(npmStart(gw.env)).to.deep.include({ status: 3, code: 'ledger_unreadable', lines: 1 });
    expect(statSync(file).size).to.equal(bytes.length);
  });
});
