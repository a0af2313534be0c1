/**
 * anxin backup while a gateway issues, anxin restore elsewhere: every credential the
 * backup's ledger holds is there and verifies over HTTP on a gateway started on the
 * restored directory, nothing later is, and anxin replay passes on it. A damaged or
 * wrongly opened backup file is refused with a stable problem code, leaving nothing behind.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { getPriority } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { expect } from 'chai';
import Database from 'better-sqlite3';
import type { Manifest } from '@anxin/cli';
import { takeSnapshot, writeBackup } from '@anxin/cli';
import { loadConfig, startGateway, type RunningGateway } from '@anxin/gateway';
import { scanBlockFiles, blockFileName, CHAIN_DIR } from '@anxin/network/embedded';
import { tempDir } from '../helpers';
import { TestGateway, apiRequest, type Issued } from '../helpers/gateway';
import { anxin, expectExit } from './fixture';

interface Acked {
  issued: Issued;
  /** When the 201 arrived (ms since epoch). */
  at: number;
}

/** Where each file's bytes start in a plain backup file. */
function layout(file: string): {
  bodyAt: number;
  manifestLength: number;
  files: Array<{ path: string; at: number; size: number }>;
} {
  const buf = readFileSync(file);
  const magicEnd = buf.indexOf(0x0a) + 1;
  const headerEnd = buf.indexOf(0x0a, magicEnd) + 1;
  const header = JSON.parse(buf.subarray(magicEnd, headerEnd).toString('utf8')) as { manifest: { length: number } };
  const manifest = JSON.parse(buf.subarray(headerEnd, headerEnd + header.manifest.length).toString('utf8')) as {
    files: Array<{ path: string; size: number }>;
  };
  let at = headerEnd + header.manifest.length;
  const files = manifest.files.map((f) => {
    const entry = { path: f.path, at, size: f.size };
    at += f.size;
    return entry;
  });
  return { bodyAt: headerEnd, manifestLength: header.manifest.length, files };
}

function flipped(file: string, at: number, out: string): string {
  const buf = readFileSync(file);
  buf[at] = buf[at]! ^ 0x01;
  writeFileSync(out, buf);
  return out;
}

describe('anxin backup and restore', function () {
  this.timeout(600_000);
  let gw: TestGateway;
  let work: string;
  let backupFile: string;
  let backupHeight = 0;
  let backupNice = 0;
  const acked: Acked[] = [];
  let backupStartedAt = 0;
  let verifierKey = '';
  let restored: RunningGateway | undefined;
  let restoredDir = '';

  before(async () => {
    work = tempDir('backup');
    gw = await TestGateway.start();
    const issuer = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    verifierKey = await gw.verifierKey();
    backupFile = join(work, 'anxin.anxbackup');
    // A small file beside the store (as a later version may keep) travels with the backup.
    writeFileSync(join(gw.dataDir, 'marker.json'), '{"kept":true}\n');

    // Issuance load over HTTP while the backup runs in its own process, as an operator runs it.
    let loading = true;
    const latencies: number[] = [];
    const loop = async () => {
      while (loading) {
        const t = Date.now();
        const issued = await gw.issue(issuer.apiKey, 'HealthCertificate');
        const now = Date.now();
        latencies.push(now - t);
        acked.push({ issued, at: now });
      }
    };
    const loops = Array.from({ length: 4 }, () => loop());
    while (acked.length < 20) await new Promise((r) => setTimeout(r, 20));
    const latencyBefore = [...latencies];
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    backupStartedAt = Date.now();
    const countAtStart = acked.length;
    const r = await anxin(['backup', '--data', gw.dataDir, '--out', backupFile, '--json']);
    delay.disable();
    const backupMs = Date.now() - backupStartedAt;
    const during = latencies.slice(latencyBefore.length);
    // The same load for as long again without a backup, to tell the backup's share from the load's.
    const countAtEnd = acked.length;
    const baseline = monitorEventLoopDelay({ resolution: 1 });
    const baselineFrom = latencies.length;
    baseline.enable();
    await new Promise((r) => setTimeout(r, backupMs));
    baseline.disable();
    const after = latencies.slice(baselineFrom);
    // And with a CLI process that starts and reads a block: the share of a process starting beside the gateway.
    const control = monitorEventLoopDelay({ resolution: 1 });
    const controlFrom = latencies.length;
    control.enable();
    const controlStarted = Date.now();
    expectExit(await anxin(['inspect', 'block', '0', '--data', gw.dataDir]), 0);
    control.disable();
    const controlMs = Date.now() - controlStarted;
    const withCli = latencies.slice(controlFrom);
    while (acked.length < countAtEnd + 8) await new Promise((r) => setTimeout(r, 20));
    loading = false;
    await Promise.all(loops);
    expectExit(r, 0);
    backupHeight = r.json.height;
    backupNice = r.json.nice;
    const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * q)] ?? 0;
    // Figures for the record: the gateway's longest event-loop stall and request latencies while backing up.
    console.log(
      `      backup: ${backupMs} ms wall (${r.json.ms} ms in the CLI), ${r.json.bytes} bytes, height ${backupHeight}; ${countAtStart} credentials before it, ${countAtEnd - countAtStart} during` +
        `\n      gateway during backup: max event-loop delay ${(delay.max / 1e6).toFixed(1)} ms (p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms);` +
        ` issuance latency max ${Math.max(...during, 0)} ms, p50 ${p(during, 0.5)} ms` +
        `\n      same load, no backup:   max event-loop delay ${(baseline.max / 1e6).toFixed(1)} ms (p99 ${(baseline.percentile(99) / 1e6).toFixed(1)} ms);` +
        ` issuance latency max ${Math.max(...after, 0)} ms, p50 ${p(after, 0.5)} ms` +
        `\n      same load, anxin inspect (${controlMs} ms): max event-loop delay ${(control.max / 1e6).toFixed(1)} ms (p99 ${(control.percentile(99) / 1e6).toFixed(1)} ms);` +
        ` issuance latency max ${Math.max(...withCli, 0)} ms, p50 ${p(withCli, 0.5)} ms`,
    );
  });

  after(async () => {
    await restored?.close();
    await gw?.stop();
  });

  it('holds every credential acknowledged before it started, and none anchored after its height', () => {
    const before = acked.filter((a) => a.at < backupStartedAt);
    expect(before.length).to.be.greaterThan(0);
    for (const a of before) expect(a.issued.anchor.block, a.issued.id).to.be.lessThan(backupHeight);
    expect(acked.some((a) => a.issued.anchor.block >= backupHeight)).to.equal(true);
    expect(statSync(backupFile).mode & 0o777).to.equal(0o600);
  });

  it('restores elsewhere; a gateway there verifies exactly the credentials up to the backup height', async () => {
    restoredDir = join(work, 'restored');
    const r = await anxin([
      'restore',
      backupFile,
      '--data',
      restoredDir,
      '--kek',
      join(gw.dataDir, 'kek.key'),
      '--json',
    ]);
    expectExit(r, 0);
    expect(r.json).to.include({ ok: true, height: backupHeight });
    expect(r.json.kek.placed).to.equal('from-file');
    expect(r.json.store.projection.block).to.equal(backupHeight);
    expect(readFileSync(join(restoredDir, 'marker.json'), 'utf8')).to.equal('{"kept":true}\n');
    expect(existsSync(join(restoredDir, 'admin.key'))).to.equal(false);

    restored = await startGateway(
      loadConfig({
        ANXIN_DATA_DIR: restoredDir,
        ANXIN_PORT: '0',
        ANXIN_HOST: '127.0.0.1',
        ANXIN_BATCH_TIMEOUT_MS: '5',
        ANXIN_LOG_LEVEL: 'silent',
        ANXIN_RATE_LIMIT_ANONYMOUS: '100000',
      }),
    );
    expect(restored.ledgerInitialised).to.equal(false);
    const info = await apiRequest(restored.url, 'GET', '/v1/ledger/info');
    expect(info.body.height).to.equal(backupHeight);
    for (const a of acked) {
      const v = await apiRequest(restored.url, 'POST', '/v1/verify', {
        key: verifierKey,
        body: { credential: a.issued.credential },
      });
      expect(v.status).to.equal(200);
      const status = await apiRequest(restored.url, 'GET', `/v1/credentials/${encodeURIComponent(a.issued.id)}/status`);
      if (a.issued.anchor.block < backupHeight) {
        expect(v.body.verified, `${a.issued.id}: ${JSON.stringify(v.body.reasons)}`).to.equal(true);
        expect(v.body.anchor.block).to.equal(a.issued.anchor.block);
        expect(status.status).to.equal(200);
      } else {
        expect(v.body.verified).to.equal(false);
        expect(v.body.checks.anchored).to.equal('fail');
        expect(status.status).to.equal(404);
      }
    }
  });

  it('passes anxin replay with the store', async () => {
    await restored?.close();
    restored = undefined;
    const r = await anxin(['replay', '--data', restoredDir, '--store', join(restoredDir, 'store.sqlite'), '--json']);
    expectExit(r, 0);
  });

  it('refuses a directory that is not empty, and leaves it as it was', async () => {
    const dir = join(work, 'occupied');
    mkdirSync(dir);
    writeFileSync(join(dir, 'something'), 'x');
    const r = await anxin(['restore', backupFile, '--data', dir, '--json']);
    expectExit(r, 2);
    expect(r.json).to.include({ ok: false, problem: 'RESTORE_TARGET' });
    expect(readFileSync(join(dir, 'something'), 'utf8')).to.equal('x');
  });

  describe('a damaged backup is refused, naming what is wrong', () => {
    const refused = async (file: string, problem: string, exit = 1) => {
      const target = join(work, `refused-${Math.random().toString(36).slice(2)}`);
      const r = await anxin(['restore', file, '--data', target, '--json']);
      expectExit(r, exit);
      expect(r.json, r.stdout).to.include({ ok: false, problem });
      expect(existsSync(target)).to.equal(false);
      return r.json;
    };

    it('a flipped byte in a block: BACKUP_BLOCK, with the block', async () => {
      const { files } = layout(backupFile);
      const bf = files.find((f) => f.path === `ledger/${CHAIN_DIR}/${blockFileName(0)}`)!;
      const blocks = [...scanBlockFiles(join(restoredDir, 'ledger', CHAIN_DIR))];
      const target = blocks[2]!;
      const json = await refused(
        flipped(backupFile, bf.at + target.offset + Math.floor(target.length / 2), join(work, 'block.anxbackup')),
        'BACKUP_BLOCK',
      );
      expect(json.block).to.equal(2);
    });

    it('a flipped byte in the manifest: BACKUP_MANIFEST', async () => {
      const { bodyAt, manifestLength } = layout(backupFile);
      await refused(
        flipped(backupFile, bodyAt + Math.floor(manifestLength / 2), join(work, 'm.anxbackup')),
        'BACKUP_MANIFEST',
      );
    });

    it('a flipped byte in the store: BACKUP_FILE, with the file', async () => {
      const store = layout(backupFile).files.find((f) => f.path === 'store.sqlite')!;
      const json = await refused(
        flipped(backupFile, store.at + Math.floor(store.size / 2), join(work, 'store.anxbackup')),
        'BACKUP_FILE',
      );
      expect(json.file).to.equal('store.sqlite');
    });

    it('a truncated file: BACKUP_TRUNCATED', async () => {
      const buf = readFileSync(backupFile);
      const cut = join(work, 'cut.anxbackup');
      writeFileSync(cut, buf.subarray(0, Math.floor(buf.length * 0.7)));
      await refused(cut, 'BACKUP_TRUNCATED');
    });

    it('not a backup at all: BACKUP_FORMAT', async () => {
      const other = join(work, 'other.anxbackup');
      writeFileSync(other, 'ANXIN-BLOCKS/1\n{}\n');
      await refused(other, 'BACKUP_FORMAT');
    });
  });

  describe("a store that is not the ledger's", () => {
    let other: TestGateway;
    before(async () => {
      other = await TestGateway.start();
      const issuer = await other.registerIssuer({ allowedTypes: ['HealthCertificate'] });
      await other.issue(issuer.apiKey, 'HealthCertificate');
    });
    after(async () => {
      await other?.stop();
    });

    it('is not backed up with the ledger: BACKUP_SOURCE', async () => {
      const r = await anxin([
        'backup',
        '--data',
        gw.dataDir,
        '--store',
        join(other.dataDir, 'store.sqlite'),
        '--out',
        join(work, 'mixed.anxbackup'),
        '--json',
      ]);
      expectExit(r, 2);
      expect(r.json).to.include({ ok: false, problem: 'BACKUP_SOURCE' });
      expect(existsSync(join(work, 'mixed.anxbackup'))).to.equal(false);
    });

    it('in a backup file, is refused on restore: BACKUP_IDENTITY', async () => {
      // A well-formed backup whose manifest lists another network's store, digests and all.
      const staging = join(work, 'mixed-staging');
      cpSync(restoredDir, staging, { recursive: true });
      const src = new Database(join(other.dataDir, 'store.sqlite'), { readonly: true });
      await src.backup(join(staging, 'store.sqlite.new'));
      src.close();
      cpSync(join(staging, 'store.sqlite.new'), join(staging, 'store.sqlite'));
      const buf = readFileSync(backupFile);
      const magicEnd = buf.indexOf(0x0a) + 1;
      const headerEnd = buf.indexOf(0x0a, magicEnd) + 1;
      const header = JSON.parse(buf.subarray(magicEnd, headerEnd).toString('utf8')) as { manifest: { length: number } };
      const manifest = JSON.parse(
        buf.subarray(headerEnd, headerEnd + header.manifest.length).toString('utf8'),
      ) as Manifest;
      manifest.store!.kekFingerprints = [];
      manifest.files = manifest.files.map((f) => {
        const bytes = readFileSync(join(staging, f.path));
        return { ...f, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
      });
      const mixed = join(work, 'mixed-file.anxbackup');
      await writeBackup(staging, manifest, mixed);
      const target = join(work, 'mixed-restore');
      const r = await anxin(['restore', mixed, '--data', target, '--json']);
      expectExit(r, 1);
      expect(r.json).to.include({ ok: false, problem: 'BACKUP_IDENTITY', file: 'store.sqlite' });
      expect(existsSync(target)).to.equal(false);
    });
  });

  it('names the status changes its catch-up projected, which no notifier saw', async () => {
    // A credential revoked after the point the store was copied at: the backup's store has not
    // projected the revocation, so the gateway that tells verifiers never queued its notices.
    const issuer = await gw.registerIssuer({ allowedTypes: ['HealthCertificate'] });
    const issued = await gw.issue(issuer.apiKey, 'HealthCertificate');
    expect((await gw.changeStatus(issuer.apiKey, issued.id, 'revoke', 'fraud')).status).to.equal(200);
    const file = join(work, 'behind.anxbackup');
    expectExit(await anxin(['backup', '--data', gw.dataDir, '--out', file, '--json']), 0);
    const laidOut = join(work, 'behind-laid-out');
    expectExit(await anxin(['restore', file, '--data', laidOut, '--kek', join(gw.dataDir, 'kek.key'), '--json']), 0);
    // The same backup with its store's projection set back to the credential's anchoring block.
    const staging = join(work, 'behind-staging');
    cpSync(laidOut, staging, { recursive: true });
    const store = new Database(join(staging, 'store.sqlite'));
    store.prepare(`UPDATE checkpoints SET block = ?, tx_index = 0 WHERE name = 'projection'`).run(issued.anchor.block);
    store.pragma('journal_mode = DELETE');
    store.close();
    const buf = readFileSync(file);
    const magicEnd = buf.indexOf(0x0a) + 1;
    const headerEnd = buf.indexOf(0x0a, magicEnd) + 1;
    const header = JSON.parse(buf.subarray(magicEnd, headerEnd).toString('utf8')) as { manifest: { length: number } };
    const manifest = JSON.parse(
      buf.subarray(headerEnd, headerEnd + header.manifest.length).toString('utf8'),
    ) as Manifest;
    manifest.store!.projection = { block: issued.anchor.block, txIndex: 0 };
    manifest.files = manifest.files.map((f) => {
      const bytes = readFileSync(join(staging, f.path));
      return { ...f, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    });
    const behind = join(work, 'behind-store.anxbackup');
    await writeBackup(staging, manifest, behind);
    const r = await anxin([
      'restore',
      behind,
      '--data',
      join(work, 'behind-restored'),
      '--kek',
      join(gw.dataDir, 'kek.key'),
      '--json',
    ]);
    expectExit(r, 0);
    const missed = (r.json.store.unnotified as { credentialId: string; status: string; reason?: string }[]).filter(
      (m) => m.credentialId === issued.id,
    );
    expect(missed.map((m) => [m.status, m.reason])).to.deep.equal([['revoked', 'fraud']]);
    // The backup as made: the store had seen the revocation, nothing to name.
    expect(
      (
        await anxin([
          'restore',
          file,
          '--data',
          join(work, 'behind-again'),
          '--kek',
          join(gw.dataDir, 'kek.key'),
          '--json',
        ])
      ).json.store.unnotified,
    ).to.deep.equal([]);
  });

  it("runs below the gateway's CPU priority unless told --priority normal", async () => {
    // The backup above ran beside a loaded gateway: at nice 10 (or the nicer level it was started at).
    expect(backupNice).to.equal(Math.max(getPriority(), 10));
    const b = await anxin([
      'backup',
      '--data',
      gw.dataDir,
      '--without-store',
      '--out',
      join(work, 'normal-priority.anxbackup'),
      '--priority',
      'normal',
      '--json',
    ]);
    expectExit(b, 0);
    expect(b.json.nice).to.equal(getPriority());
    expectExit(
      await anxin(['backup', '--data', gw.dataDir, '--out', join(work, 'x.anxbackup'), '--priority', 'idle']),
      2,
    );
  });

  it('never holds a lock the gateway writes through: a writer that will not wait writes mid-copy', async () => {
    // better-sqlite3 is synchronous: a write waiting on a lock would stall the gateway's event loop.
    // In the middle of each copy, while the backup holds its pinned read transactions on both
    // databases, a writer with busy_timeout 0 takes the write lock of each at once.
    const stateFile = join(gw.dataDir, 'ledger', 'index', 'state.sqlite');
    const files = { store: join(gw.dataDir, 'store.sqlite'), state: stateFile };
    const tried: Record<string, string> = {};
    const staging = tempDir('backup-locks');
    await takeSnapshot(
      {
        dataDir: gw.dataDir,
        ledgerDir: join(gw.dataDir, 'ledger'),
        storeFile: files.store,
        includeKek: false,
        anxinVersion: 'test',
      },
      staging,
      ({ phase, done }) => {
        if ((phase !== 'store' && phase !== 'state') || tried[phase] || done === 0) return;
        const db = new Database(files[phase]);
        try {
          db.pragma('busy_timeout = 0');
          // A real commit (the same user_version written back): in a rollback journal it would
          // need the exclusive lock a reader's shared lock refuses; WAL lets it through.
          const version = db.pragma('user_version', { simple: true }) as number;
          db.exec('BEGIN IMMEDIATE');
          db.pragma(`user_version = ${version}`);
          db.exec('COMMIT');
          tried[phase] = 'wrote';
        } catch (e) {
          tried[phase] = (e as { code?: string }).code ?? String(e);
        } finally {
          db.close();
        }
      },
    );
    expect(tried).to.deep.equal({ store: 'wrote', state: 'wrote' });
  });

  it('backs up the ledger alone for a MongoDB store (--without-store), and restores it', async () => {
    const file = join(work, 'ledger-only.anxbackup');
    const b = await anxin(['backup', '--data', gw.dataDir, '--without-store', '--out', file, '--json']);
    expectExit(b, 0);
    expect(b.json.store).to.equal(null);
    const target = join(work, 'ledger-only');
    const r = await anxin(['restore', file, '--data', target, '--kek', join(gw.dataDir, 'kek.key'), '--json']);
    expectExit(r, 0);
    expect(r.json).to.include({ ok: true, height: b.json.height, store: null });
    expect(existsSync(join(target, 'store.sqlite'))).to.equal(false);
    expect(existsSync(join(target, 'ledger', 'network.json'))).to.equal(true);
    expectExit(await anxin(['replay', '--data', target, '--json']), 0);
  });

  describe('with the KEK inside (--include-kek)', () => {
    let file: string;
    let pass: string;

    before(async () => {
      file = join(work, 'with-kek.anxbackup');
      pass = join(work, 'pass');
      writeFileSync(pass, 'correct horse battery staple\n', { mode: 0o600 });
      const r = await anxin([
        'backup',
        '--data',
        gw.dataDir,
        '--out',
        file,
        '--include-kek',
        '--passphrase-file',
        pass,
        '--json',
      ]);
      expectExit(r, 0);
      expect(r.json.encrypted).to.equal(true);
      expect(r.json.kek.included).to.equal(true);
      // The KEK's bytes are nowhere in the file in the clear.
      const kek = readFileSync(join(gw.dataDir, 'kek.key'), 'utf8').trim();
      expect(readFileSync(file).includes(Buffer.from(kek))).to.equal(false);
      expect(readFileSync(file).includes(Buffer.from(kek, 'base64'))).to.equal(false);
    });

    it('restores with its passphrase, the KEK in place', async () => {
      const target = join(work, 'with-kek');
      const r = await anxin(['restore', file, '--data', target, '--passphrase-file', pass, '--json']);
      expectExit(r, 0);
      expect(r.json.kek.placed).to.equal('from-backup');
      expect(readFileSync(join(target, 'kek.key'), 'utf8')).to.equal(readFileSync(join(gw.dataDir, 'kek.key'), 'utf8'));
      expect(statSync(join(target, 'kek.key')).mode & 0o777).to.equal(0o600);
    });

    it('refuses a wrong passphrase: BACKUP_PASSPHRASE', async () => {
      const wrong = join(work, 'wrong');
      writeFileSync(wrong, 'incorrect horse battery staple\n');
      const target = join(work, 'wrong-pass');
      const r = await anxin(['restore', file, '--data', target, '--passphrase-file', wrong, '--json']);
      expectExit(r, 2);
      expect(r.json).to.include({ ok: false, problem: 'BACKUP_PASSPHRASE' });
      expect(existsSync(target)).to.equal(false);
    });

    it('refuses a flipped byte in its encrypted body: BACKUP_DAMAGED, with the chunk', async () => {
      const buf = readFileSync(file);
      const bodyAt = buf.indexOf(0x0a, buf.indexOf(0x0a) + 1) + 1;
      const bad = flipped(file, bodyAt + 100, join(work, 'enc-flip.anxbackup'));
      const target = join(work, 'enc-flip');
      const r = await anxin(['restore', bad, '--data', target, '--passphrase-file', pass, '--json']);
      expectExit(r, 1);
      expect(r.json).to.include({ ok: false, problem: 'BACKUP_DAMAGED', chunk: 0 });
    });

    it('refuses an encrypted file cut short: BACKUP_TRUNCATED', async () => {
      const buf = readFileSync(file);
      const cut = join(work, 'enc-cut.anxbackup');
      writeFileSync(cut, buf.subarray(0, buf.length - 20));
      const r = await anxin(['restore', cut, '--data', join(work, 'enc-cut'), '--passphrase-file', pass, '--json']);
      expectExit(r, 1);
      expect(r.json).to.include({ ok: false, problem: 'BACKUP_TRUNCATED' });
    });

    it('refuses a KEK given apart that is not the store’s: BACKUP_IDENTITY', async () => {
      const other = join(work, 'other-kek.key');
      writeFileSync(other, Buffer.alloc(32, 7).toString('base64') + '\n', { mode: 0o600 });
      const target = join(work, 'other-kek');
      const r = await anxin(['restore', backupFile, '--data', target, '--kek', other, '--json']);
      expectExit(r, 1);
      expect(r.json).to.include({ ok: false, problem: 'BACKUP_IDENTITY', file: 'kek.key' });
    });
  });
});
