/**
 * Restoring a backup into a new data directory: read it into a directory beside the
 * target, check everything (the manifest against the header's digest, every file against
 * the manifest, every block against the manifest and the hash chain, the ledger, the store
 * and the KEK against each other), bring the store's projection up to the backup point,
 * and only then move it into place. A refused backup leaves nothing behind.
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { CHAIN_DIR } from '@anxin/network/embedded/genesis';
import { BackupError } from './errors';
import { bodyReader, openEncryption, readHeader, type Manifest, type ManifestFile } from './format';
import { storeMismatch } from './identity';
import { checkChain, kekFingerprint } from './snapshot';

export interface RestoreOptions {
  file: string;
  target: string;
  /** The passphrase of an encrypted backup. */
  passphrase?: () => Promise<string>;
  /** A KEK kept apart from the backup, to place in the restored directory. */
  kekFile?: string;
  onBytes?: (done: number, total: number) => void;
}

/** A status change the restore's catch-up projected without queueing its notices. */
export interface UnnotifiedChange {
  credentialId: string;
  status: string;
  reason?: string;
  block: number;
  txId: string;
}

export interface RestoreResult {
  dataDir: string;
  createdAt: string;
  height: number;
  lastBlockHash: string;
  genesisHash: string;
  store: {
    projection: { block: number; txIndex: number };
    /**
     * Status changes the restore projected from blocks the store had not seen when the backup
     * pinned it: the gateway that queued notices at the time was not shown them, and the
     * restore cannot sign notices, so verifiers who checked these credentials were not told.
     */
    unnotified: UnnotifiedChange[];
  } | null;
  kek: { fingerprint?: string; placed: 'from-backup' | 'from-file' | 'no' };
  files: number;
  bytes: number;
}

/** Paths a data directory holds: the store, the secrets, the ledger's files, and small files beside them. */
const SAFE_PATH =
  /^(ledger\/(index\/state\.sqlite|chains\/anxin\/blockfile_\d{6}|crypto\/[A-Za-z0-9@._/-]+|[A-Za-z0-9][A-Za-z0-9._-]*)|[A-Za-z0-9][A-Za-z0-9._-]*)$/;

function checkManifest(m: Manifest): void {
  const bad = (why: string) => new BackupError('BACKUP_MANIFEST', `the manifest ${why}`);
  if (m?.format !== 'anxin-backup' || !m.ledger || !Array.isArray(m.files) || !Array.isArray(m.ledger.blocks))
    throw bad('is not an Anxin backup manifest');
  if (m.ledger.height !== m.ledger.blocks.length || m.ledger.height < 1)
    throw bad('lists no blocks, or not its height');
  const seen = new Set<string>();
  for (const f of m.files as ManifestFile[]) {
    if (
      typeof f?.path !== 'string' ||
      !SAFE_PATH.test(f.path) ||
      f.path.split('/').includes('..') ||
      isAbsolute(f.path) ||
      normalize(f.path) !== f.path ||
      seen.has(f.path)
    )
      throw bad(`names a path a data directory does not hold: ${String(f?.path)}`);
    if (!Number.isSafeInteger(f.size) || f.size < 0 || !/^[0-9a-f]{64}$/.test(f.sha256))
      throw bad(`describes ${f.path} badly`);
    seen.add(f.path);
  }
  for (const need of ['ledger/network.json', 'ledger/index/state.sqlite'])
    if (!seen.has(need)) throw bad(`lacks ${need}`);
}

function emptyOrAbsent(dir: string): boolean {
  return !existsSync(dir) || readdirSync(dir).length === 0;
}

/** Read, check and lay out the backup; see the module comment. */
export async function restoreBackup(o: RestoreOptions): Promise<RestoreResult> {
  const target = resolve(o.target);
  if (!emptyOrAbsent(target))
    throw new BackupError('RESTORE_TARGET', `${target} is not empty: restore only into a new or empty directory`);
  const fh = await open(o.file, 'r');
  const staging = `${target}.restoring-${process.pid}`;
  try {
    const opened = await readHeader(fh);
    let key: Buffer | undefined;
    if (opened.header.encryption) {
      if (!o.passphrase) throw new BackupError('BACKUP_PASSPHRASE', 'the backup is encrypted: give its passphrase');
      key = await openEncryption(opened.header.encryption, await o.passphrase());
    }
    const body = bodyReader(fh, opened, key);
    const manifestBytes = await body.exactly(opened.header.manifest.length, 'the manifest');
    if (createHash('sha256').update(manifestBytes).digest('hex') !== opened.header.manifest.sha256)
      throw new BackupError('BACKUP_MANIFEST', "the manifest does not match the header's digest: it was altered");
    let manifest: Manifest;
    try {
      manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
    } catch {
      throw new BackupError('BACKUP_MANIFEST', 'the manifest is not JSON');
    }
    checkManifest(manifest);

    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true, mode: 0o700 });
    const total = manifest.files.reduce((a, f) => a + f.size, 0);
    let done = 0;
    const damaged: ManifestFile[] = [];
    for (const f of manifest.files) {
      const to = join(staging, f.path);
      mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
      const out = await open(to, 'w', 0o600);
      const h = createHash('sha256');
      try {
        for await (const piece of body.pieces(f.size, f.path)) {
          h.update(piece);
          await out.write(piece);
          done += piece.length;
          o.onBytes?.(done, total);
        }
        await out.sync();
      } finally {
        await out.close();
      }
      chmodSync(to, f.mode & 0o700);
      if (h.digest('hex') !== f.sha256) damaged.push(f);
    }
    await body.end();

    // Blocks first: a damaged block file is named by its block.
    const chain = checkChain(join(staging, 'ledger', CHAIN_DIR), manifest.ledger);
    if (damaged.length)
      throw new BackupError('BACKUP_FILE', `${damaged[0]!.path} is not the file the manifest lists`, {
        file: damaged[0]!.path,
      });

    // The state database indexes exactly the blocks the backup holds.
    const state = new Database(join(staging, 'ledger', 'index', 'state.sqlite'), { readonly: true });
    try {
      const last = state.prepare('SELECT number, hash FROM blocks ORDER BY number DESC LIMIT 1').get() as
        { number: number; hash: Buffer } | undefined;
      if (!last || last.number !== chain.blocks.length - 1 || last.hash.toString('hex') !== chain.lastBlockHash)
        throw new BackupError('BACKUP_IDENTITY', "the ledger's state database is not at the backup's last block", {
          file: 'ledger/index/state.sqlite',
        });
    } finally {
      state.close();
    }

    // The store belongs to this ledger: its projection is not ahead, its anchors are the ledger's.
    if (manifest.store) {
      const why = storeMismatch(
        join(staging, 'store.sqlite'),
        join(staging, 'ledger', 'index', 'state.sqlite'),
        chain.blocks.length,
      );
      if (why) throw new BackupError('BACKUP_IDENTITY', why, { file: 'store.sqlite' });
    }

    // The KEK: from the backup, or given apart; either way the one the store was sealed under.
    let placed: RestoreResult['kek']['placed'] = 'no';
    let fingerprint = manifest.kek.fingerprint;
    if (existsSync(join(staging, 'kek.key'))) placed = 'from-backup';
    else if (o.kekFile) {
      copyFileSync(o.kekFile, join(staging, 'kek.key'));
      chmodSync(join(staging, 'kek.key'), 0o600);
      placed = 'from-file';
    }
    if (placed !== 'no') {
      const fp = kekFingerprint(join(staging, 'kek.key'));
      const sealedUnder = manifest.store?.kekFingerprints ?? [];
      if ((fingerprint && fp !== fingerprint) || sealedUnder.some((k) => k !== fp))
        throw new BackupError(
          'BACKUP_IDENTITY',
          `the KEK ${fp} is not the one the store's records were sealed under (${[fingerprint, ...sealedUnder].filter(Boolean).join(', ')})`,
          { file: 'kek.key' },
        );
      fingerprint = fp;
    }

    // Bring the store's projection up to the backup point, as the gateway would at its start.
    const projected = manifest.store ? await catchUp(staging) : undefined;

    if (existsSync(target)) rmdirSync(target);
    mkdirSync(dirname(target), { recursive: true });
    await rename(staging, target);
    chmodSync(target, 0o700);
    return {
      dataDir: target,
      createdAt: manifest.createdAt,
      height: chain.blocks.length,
      lastBlockHash: chain.lastBlockHash,
      genesisHash: chain.genesisHash,
      store: projected ?? null,
      kek: { ...(fingerprint ? { fingerprint } : {}), placed },
      files: manifest.files.length,
      bytes: total,
    };
  } finally {
    await fh.close();
    rmSync(staging, { recursive: true, force: true });
  }
}

async function catchUp(dir: string): Promise<NonNullable<RestoreResult['store']>> {
  // Loaded here: the gateway's store, ledger and projection are heavy for every other command's start.
  const { openStore } = await import('@anxin/gateway/store');
  const { Projection } = await import('@anxin/gateway/server');
  const { EmbeddedLedger } = await import('@anxin/network/embedded');
  const store = await openStore({ kind: 'sqlite', path: join(dir, 'store.sqlite') });
  try {
    const ledger = await EmbeddedLedger.open(join(dir, 'ledger'), { create: false, endorsers: 0 });
    try {
      const p = new Projection(store, ledger);
      // The gateway's notifier is not here (it signs with the gateway's key): name what it missed.
      const unnotified: UnnotifiedChange[] = [];
      p.onAnchor((a, at) => {
        if (a.status !== 'active' || a.statusReason)
          unnotified.push({
            credentialId: a.id,
            status: a.status,
            ...(a.statusReason ? { reason: a.statusReason } : {}),
            block: at.block,
            txId: at.txId,
          });
        return Promise.resolve();
      });
      let failure: unknown;
      p.on('error', (e) => (failure = e));
      await p.start();
      await p.stop();
      if (failure) throw failure instanceof Error ? failure : new Error('the projection failed', { cause: failure });
      return { projection: p.position, unnotified };
    } finally {
      await ledger.close();
    }
  } finally {
    await store.close();
  }
}
