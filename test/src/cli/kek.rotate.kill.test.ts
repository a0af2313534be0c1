/**
 * anxin kek rotate: every custodial key and stored credential re-sealed under a new KEK.
 * Killed (SIGKILL, the spawned CLI kills itself at a chosen point) after the new key is
 * written, after 1 and after 5 records, after the old key is kept aside and after the new
 * key took the KEK file's place: every record still opens with the old or the new KEK, the
 * gateway starts on the directory and serves what it stored, and a second run finishes the
 * rotation.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { loadConfig, startGateway } from '@anxin/gateway';
import { readKek, loadKekRing, type Kek } from '@anxin/gateway/server';
import { openStore, type SealedEntry } from '@anxin/gateway/store';
import { TestGateway, apiRequest, type Issued, type RegisteredIssuer } from '../helpers/gateway';
import { USCC_OF_KIND, tempDir } from '../helpers';
import { CLI, anxin, expectExit } from './fixture';

const KILL_POINTS = ['next-written', 'resealed:1', 'resealed:5', 'previous-written', 'renamed'] as const;

/** Every sealed record of the store in `dataDir`. */
async function sealedRecords(dataDir: string): Promise<SealedEntry[]> {
  const store = await openStore({ kind: 'sqlite', path: join(dataDir, 'store.sqlite') });
  try {
    const all: SealedEntry[] = [];
    for (const kind of ['custodial_key', 'credential'] as const)
      all.push(...(await store.listSealed(kind, undefined, 1e6)));
    return all;
  } finally {
    await store.close();
  }
}

function opensWith(kek: Kek, e: SealedEntry): boolean {
  try {
    kek.open(e.sealed, e.id);
    return true;
  } catch {
    return false;
  }
}

/** Start a gateway on `dataDir`, run `check` against it, close it. */
async function serving(dataDir: string, check: (url: string, adminKey: string) => Promise<void>): Promise<void> {
  const g = await startGateway(
    loadConfig({
      ANXIN_DATA_DIR: dataDir,
      ANXIN_PORT: '0',
      ANXIN_HOST: '127.0.0.1',
      ANXIN_BATCH_TIMEOUT_MS: '5',
      ANXIN_LOG_LEVEL: 'silent',
    }),
  );
  try {
    await check(g.url, readFileSync(join(dataDir, 'admin.key'), 'utf8').trim());
  } finally {
    await g.close();
  }
}

describe('cli: anxin kek rotate survives a kill at any point', function () {
  this.timeout(180_000);
  let gw: TestGateway;
  let source: string;
  let clinic: RegisteredIssuer;
  const issued: Issued[] = [];
  let old: Kek;

  before(async () => {
    gw = await TestGateway.start();
    clinic = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    for (let i = 0; i < 4; i++)
      issued.push(await gw.issue(clinic.apiKey, 'HealthCertificate', { format: i % 2 ? 'dc+sd-jwt' : 'vc+jwt' }));
    await gw.running.close();
    source = gw.dataDir;
    old = readKek(join(source, 'kek.key'));
    expect((await sealedRecords(source)).length, 'sealed records').to.be.at.least(7);
  });
  after(async () => gw?.stop());

  /** The gateway on `dir` gives back what it stored, and can still sign as the registrar. */
  async function servesWhatItStored(dir: string): Promise<void> {
    await serving(dir, async (url, adminKey) => {
      for (const c of issued) {
        const res = await apiRequest(url, 'GET', `/v1/credentials/${encodeURIComponent(c.id)}`, { key: clinic.apiKey });
        expect(res.status, res.text).to.equal(200);
        expect(res.body.credential).to.equal(c.credential);
      }
      const reg = await apiRequest(url, 'POST', '/v1/issuers', {
        key: adminKey,
        body: {
          name: '复检诊所',
          kind: 'health_authority',
          allowedTypes: ['HealthCertificate'],
          uscc: USCC_OF_KIND.health_authority,
        },
      });
      expect(reg.status, reg.text).to.equal(201);
    });
  }

  it('uninterrupted: every record is under the new KEK, the old one opens none, the gateway serves', async () => {
    const dir = join(tempDir('kek'), 'data');
    cpSync(source, dir, { recursive: true });
    const r = await anxin(['kek', 'rotate', '--data', dir, '--json']);
    expectExit(r, 0);
    const now = readKek(join(dir, 'kek.key'));
    expect(r.json).to.deep.include({
      kek: now.fingerprint,
      previous: old.fingerprint,
      resumed: false,
      previousKept: false,
    });
    expect(now.fingerprint).not.to.equal(old.fingerprint);
    expect(r.json.resealed).to.equal(r.json.records);
    expect(existsSync(join(dir, 'kek.key.next'))).to.equal(false);
    expect(existsSync(join(dir, 'kek.key.previous'))).to.equal(false);
    for (const e of await sealedRecords(dir)) {
      expect(e.sealed.kek).to.equal(now.fingerprint);
      expect(opensWith(old, e)).to.equal(false);
    }
    await servesWhatItStored(dir);
  });

  for (const point of KILL_POINTS) {
    it(`killed at ${point}: every record opens with the old or the new KEK; the gateway serves; a second run finishes`, async () => {
      const dir = join(tempDir('kek'), 'data');
      cpSync(source, dir, { recursive: true });
      const killed = spawnSync(process.execPath, [CLI, 'kek', 'rotate', '--data', dir], {
        env: { ...process.env, ANXIN_DATA_DIR: '', ANXIN_TEST_KEK_KILL_AT: point },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(killed.signal, `stderr: ${killed.stderr}`).to.equal('SIGKILL');

      const next = ['kek.key.next', 'kek.key', 'kek.key.previous']
        .map((f) => join(dir, f))
        .filter(existsSync)
        .map(readKek)
        .find((k) => k.fingerprint !== old.fingerprint);
      expect(next, 'the new KEK is on disk').not.to.equal(undefined);
      for (const e of await sealedRecords(dir)) {
        expect(opensWith(old, e) || opensWith(next!, e), `${e.kind} ${e.id} opens with neither KEK`).to.equal(true);
      }
      // What the gateway loads opens every record.
      const { kek: ring } = loadKekRing(join(dir, 'kek.key'));
      for (const e of await sealedRecords(dir)) expect(opensWith(ring, e)).to.equal(true);

      // The gateway starts on it, serves what it stored and seals new records meanwhile.
      await servesWhatItStored(dir);

      const again = await anxin(['kek', 'rotate', '--data', dir, '--json']);
      expectExit(again, 0);
      expect(again.json).to.deep.include({ kek: next!.fingerprint, resumed: true, previousKept: false });
      expect(readKek(join(dir, 'kek.key')).fingerprint).to.equal(next!.fingerprint);
      expect(existsSync(join(dir, 'kek.key.next'))).to.equal(false);
      expect(existsSync(join(dir, 'kek.key.previous'))).to.equal(false);
      for (const e of await sealedRecords(dir)) expect(e.sealed.kek).to.equal(next!.fingerprint);
      await servesWhatItStored(dir);
    });
  }

  it('a missing KEK file is refused (exit 2), changing nothing', async () => {
    const dir = join(tempDir('kek'), 'data');
    cpSync(source, dir, { recursive: true });
    const r = await anxin(['kek', 'rotate', '--data', dir, '--kek', join(dir, 'nowhere.key')]);
    expectExit(r, 2);
    for (const e of await sealedRecords(dir)) expect(e.sealed.kek).to.equal(old.fingerprint);
  });
});
