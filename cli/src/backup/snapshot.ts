/**
 * A consistent snapshot of a data directory while its gateway runs: the store and the
 * ledger's state database through SQLite's online backup API, the block files up to the
 * last block that state database has committed, the network's descriptor and crypto
 * material, and (when asked) the KEK and the admin API key.
 *
 * Consistency. Both databases run in WAL mode, where a read transaction sees one commit
 * and never blocks the writer. The store's read transaction is opened first, the ledger's
 * right after, and both backups then copy from those pinned snapshots in small steps: so
 * the ledger is at least as far as anything the store knows (the store's projection never
 * names a block the backup lacks), and writes go on undisturbed meanwhile. A block is
 * fsynced to its file before the state database commits it, so every block that database
 * indexes is in the files; blocks appended after it are not copied.
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { copyFile, open } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { blockDataHash, blockHeaderHash, decodeBlock } from '@anxin/network/blocks';
import { blockFileName, scanBlockFiles } from '@anxin/network/embedded/blockfile';
import { CHAIN_DIR, DESCRIPTOR_FILE, readDescriptor } from '@anxin/network/embedded/genesis';
import { BackupError } from './errors';
import { storeMismatch } from './identity';
import { FORMAT_VERSION, type Manifest, type ManifestFile } from './format';

/** Pages copied per backup step: a few hundred kilobytes, well under a millisecond of I/O. */
const PAGES_PER_STEP = 64;
const COPY_PIECE = 1024 * 1024;
/** Other files of a data directory carried along: plain names, small, not secrets, sidecars or locks. */
export const EXTRA_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const NOT_EXTRA = new Set(['LOCK', 'store.sqlite', 'kek.key', 'admin.key', 'network.json']);
const EXTRA_MAX_BYTES = 1024 * 1024;

export interface SnapshotPlan {
  dataDir: string;
  ledgerDir: string;
  /** The SQLite store; undefined to back up the ledger alone (a MongoDB store is dumped apart). */
  storeFile?: string;
  kekFile?: string;
  /** Put the KEK (and admin.key) in the snapshot. */
  includeKek: boolean;
  anxinVersion: string;
}

export interface SnapshotProgress {
  (p: { phase: 'store' | 'state' | 'blocks' | 'check'; done: number; total: number }): void;
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** The KEK's fingerprint as the gateway computes it (first 16 hex digits of SHA-256 of the key). */
export function kekFingerprint(file: string): string {
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new BackupError('BACKUP_SOURCE', `${file} does not hold a 32-byte KEK`);
  return sha256(key).slice(0, 16);
}

function openPinned(file: string): Database.Database {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  db.exec('BEGIN');
  return db;
}

/** Copy the pinned snapshot of `db` to `dest` in small steps, yielding to the event loop between them. */
async function backupPinned(
  db: Database.Database,
  dest: string,
  onStep: (done: number, total: number) => void,
): Promise<void> {
  await db.backup(dest, {
    progress: ({ totalPages, remainingPages }) => {
      onStep(totalPages - remainingPages, totalPages);
      return PAGES_PER_STEP;
    },
  });
  // The copy keeps the source's WAL mode; one self-contained file is what a backup should hold.
  const copy = new Database(dest);
  try {
    copy.pragma('journal_mode = DELETE');
    const ok = copy.pragma('quick_check', { simple: true });
    if (ok !== 'ok') throw new BackupError('BACKUP_SOURCE', `the copy of ${dest} fails SQLite's check: ${String(ok)}`);
  } finally {
    copy.close();
  }
}

/** Where the store's projection stood and the KEKs its sealed records name (the gateway's own tables). */
type StoreFacts = Omit<NonNullable<Manifest['store']>, 'kind' | 'path'>;

function storeFacts(db: Database.Database): StoreFacts {
  const schemaVersion = db.pragma('user_version', { simple: true }) as number;
  let projection: { block: number; txIndex: number } | undefined;
  try {
    const row = db.prepare(`SELECT block, tx_index FROM checkpoints WHERE name = 'projection'`).get() as
      { block: number; tx_index: number } | undefined;
    if (row) projection = { block: row.block, txIndex: row.tx_index };
  } catch {
    // a store of a schema without checkpoints: nothing projected yet
  }
  const kekFingerprints = new Set<string>();
  for (const table of ['custodial_keys', 'credentials']) {
    try {
      for (const r of db
        .prepare(`SELECT DISTINCT json_extract(sealed, '$.kek') AS kek FROM ${table} WHERE sealed IS NOT NULL`)
        .all() as Array<{ kek: string | null }>)
        if (r.kek) kekFingerprints.add(r.kek);
    } catch {
      // no such table in this schema version
    }
  }
  return { schemaVersion, ...(projection ? { projection } : {}), kekFingerprints: [...kekFingerprints].sort() };
}

async function copyRange(from: string, to: string, length: number): Promise<void> {
  const src = await open(from, 'r');
  const dst = await open(to, 'w', 0o600);
  try {
    const buf = Buffer.alloc(COPY_PIECE);
    for (let at = 0; at < length;) {
      const { bytesRead } = await src.read(buf, 0, Math.min(buf.length, length - at), at);
      if (!bytesRead) throw new BackupError('BACKUP_SOURCE', `${from} is shorter than the ledger's index says`);
      await dst.write(buf.subarray(0, bytesRead));
      at += bytesRead;
    }
    await dst.sync();
  } finally {
    await src.close();
    await dst.close();
  }
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

/**
 * Check the copied blocks as restore will: numbered 0 … n − 1, each header's data_hash
 * the hash of its envelopes, each previous_hash the hash of the header before; returns
 * each block's SHA-256 and the first and last header hashes.
 */
export function checkChain(
  chainDir: string,
  expect?: { blocks: string[]; genesisHash: string; lastBlockHash: string },
): { blocks: string[]; genesisHash: string; lastBlockHash: string } {
  const blocks: string[] = [];
  let prev: Buffer | undefined;
  let first = '';
  const it = scanBlockFiles(chainDir);
  for (;;) {
    const r = it.next();
    if (r.done) {
      if (r.value)
        throw new BackupError('BACKUP_BLOCK', `block ${blocks.length} is cut short (${r.value.reason})`, {
          block: blocks.length,
          file: blockFileName(r.value.file),
        });
      break;
    }
    const n = blocks.length;
    const digest = sha256(r.value.bytes);
    const at = { block: n, file: blockFileName(r.value.file) };
    if (expect && expect.blocks[n] !== digest)
      throw new BackupError(
        'BACKUP_BLOCK',
        expect.blocks[n] === undefined
          ? `block ${n} is not in the manifest`
          : `block ${n} is not the block the manifest lists`,
        at,
      );
    let b: ReturnType<typeof decodeBlock>;
    try {
      b = decodeBlock(r.value.bytes);
    } catch (e) {
      throw new BackupError('BACKUP_BLOCK', `block ${n} does not decode: ${(e as Error).message}`, at);
    }
    if (b.number !== n) throw new BackupError('BACKUP_BLOCK', `block ${n} says it is block ${b.number}`, at);
    if (!blockDataHash(b.data).equals(b.dataHash))
      throw new BackupError('BACKUP_BLOCK', `block ${n}'s data_hash does not match its envelopes`, at);
    if (prev && !b.previousHash.equals(prev))
      throw new BackupError('BACKUP_BLOCK', `block ${n}'s previous_hash is not block ${n - 1}'s hash`, at);
    prev = blockHeaderHash(b.number, b.previousHash, b.dataHash);
    if (n === 0) first = prev.toString('hex');
    blocks.push(digest);
  }
  const result = { blocks, genesisHash: first, lastBlockHash: prev?.toString('hex') ?? '' };
  if (expect) {
    if (blocks.length < expect.blocks.length)
      throw new BackupError(
        'BACKUP_BLOCK',
        `the backup holds ${blocks.length} blocks, the manifest lists ${expect.blocks.length}`,
        {
          block: blocks.length,
        },
      );
    if (result.genesisHash !== expect.genesisHash)
      throw new BackupError('BACKUP_IDENTITY', "block 0 is not the manifest's genesis block", { block: 0 });
    if (result.lastBlockHash !== expect.lastBlockHash)
      throw new BackupError('BACKUP_BLOCK', "the last block is not the manifest's last block", {
        block: blocks.length - 1,
      });
  }
  return result;
}

/** The ledger's descriptor and its crypto material, modes kept. */
async function copyLedgerFiles(ledgerDir: string, stagedLedger: string): Promise<void> {
  await copyFile(join(ledgerDir, DESCRIPTOR_FILE), join(stagedLedger, DESCRIPTOR_FILE));
  for (const f of walk(join(ledgerDir, 'crypto'))) {
    const to = join(stagedLedger, relative(ledgerDir, f));
    mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
    await copyFile(f, to);
    chmodSync(to, statSync(f).mode & 0o777);
  }
}

/** Small files beside the store and the ledger (markers a later version may keep); sidecars and locks stay. */
async function copyExtraFiles(plan: SnapshotPlan, staging: string, stagedLedger: string): Promise<void> {
  for (const [from, to] of [
    [plan.dataDir, staging],
    [plan.ledgerDir, stagedLedger],
  ] as const) {
    if (from === plan.ledgerDir && from === plan.dataDir) continue;
    for (const e of readdirSync(from, { withFileTypes: true })) {
      if (
        !e.isFile() ||
        !EXTRA_FILE.test(e.name) ||
        NOT_EXTRA.has(e.name) ||
        /-(wal|shm|journal)$|\.partial-|\.anxbackup$/.test(e.name)
      )
        continue;
      const p = join(from, e.name);
      if (plan.storeFile && resolve(p) === resolve(plan.storeFile)) continue;
      if (plan.kekFile && resolve(p) === resolve(plan.kekFile)) continue;
      if (statSync(p).size > EXTRA_MAX_BYTES) continue;
      await copyFile(p, join(to, e.name));
    }
  }
}

/**
 * Snapshot `plan.dataDir` into `staging` (an empty directory) and return the manifest of
 * what is there.
 */
export async function takeSnapshot(
  plan: SnapshotPlan,
  staging: string,
  progress: SnapshotProgress = () => undefined,
): Promise<Manifest> {
  const stateFile = join(plan.ledgerDir, 'index', 'state.sqlite');
  if (!existsSync(join(plan.ledgerDir, DESCRIPTOR_FILE)) || !existsSync(stateFile))
    throw new BackupError(
      'BACKUP_SOURCE',
      `${plan.ledgerDir} holds no embedded ledger (no ${DESCRIPTOR_FILE} and index)`,
    );
  const descriptor = readDescriptor(plan.ledgerDir);
  const stagedLedger = join(staging, 'ledger');
  mkdirSync(join(stagedLedger, 'index'), { recursive: true, mode: 0o700 });
  mkdirSync(join(stagedLedger, CHAIN_DIR), { recursive: true, mode: 0o700 });

  // Pin the store first, then the ledger: the ledger snapshot is then at least as far as the store's.
  const store = plan.storeFile ? openPinned(plan.storeFile) : undefined;
  let state: Database.Database | undefined;
  let last: { number: number; file: number; offset: number; length: number; hash: Buffer } | undefined;
  let facts: StoreFacts | undefined;
  try {
    state = openPinned(stateFile);
    last = state.prepare('SELECT number, file, offset, length, hash FROM blocks ORDER BY number DESC LIMIT 1').get() as
      typeof last | undefined;
    if (!last) throw new BackupError('BACKUP_SOURCE', 'the ledger has no blocks');
    if (store) {
      facts = storeFacts(store);
      await backupPinned(store, join(staging, 'store.sqlite'), (done, total) =>
        progress({ phase: 'store', done, total }),
      );
    }
    await backupPinned(state, join(stagedLedger, 'index', 'state.sqlite'), (done, total) =>
      progress({ phase: 'state', done, total }),
    );
  } finally {
    for (const db of [store, state]) {
      if (!db) continue;
      try {
        db.exec('COMMIT');
      } catch {
        // the read transaction ended with the connection
      }
      db.close();
    }
  }
  if (plan.storeFile) {
    const why = storeMismatch(
      join(staging, 'store.sqlite'),
      join(stagedLedger, 'index', 'state.sqlite'),
      last.number + 1,
    );
    if (why) throw new BackupError('BACKUP_SOURCE', `${why}: the store and the ledger are not one data directory`);
  }

  // Block files: every earlier file whole, the last one up to the end of the last committed block.
  const chainDir = join(plan.ledgerDir, CHAIN_DIR);
  let copied = 0;
  const sizes = Array.from({ length: last.file + 1 }, (_, f) =>
    f < last!.file ? statSync(join(chainDir, blockFileName(f))).size : last!.offset + last!.length,
  );
  const total = sizes.reduce((a, b) => a + b, 0);
  for (let f = 0; f <= last.file; f++) {
    await copyRange(join(chainDir, blockFileName(f)), join(stagedLedger, CHAIN_DIR, blockFileName(f)), sizes[f]!);
    copied += sizes[f]!;
    progress({ phase: 'blocks', done: copied, total });
  }
  await copyLedgerFiles(plan.ledgerDir, stagedLedger);
  await copyExtraFiles(plan, staging, stagedLedger);
  let kekFp: string | undefined;
  if (plan.kekFile && existsSync(plan.kekFile)) kekFp = kekFingerprint(plan.kekFile);
  if (plan.includeKek) {
    if (!plan.kekFile || !existsSync(plan.kekFile))
      throw new BackupError('BACKUP_SOURCE', `--include-kek: there is no KEK at ${plan.kekFile ?? '(none)'}`);
    await copyFile(plan.kekFile, join(staging, 'kek.key'));
    const admin = join(plan.dataDir, 'admin.key');
    if (existsSync(admin)) await copyFile(admin, join(staging, 'admin.key'));
  }

  progress({ phase: 'check', done: 0, total: 1 });
  const chain = checkChain(join(stagedLedger, CHAIN_DIR));
  if (chain.blocks.length !== last.number + 1 || chain.lastBlockHash !== last.hash.toString('hex'))
    throw new BackupError(
      'BACKUP_SOURCE',
      `the copied block files end at block ${chain.blocks.length - 1}, not at the index's last block ${last.number}`,
    );

  const secrets = new Set(['kek.key', 'admin.key']);
  const files: ManifestFile[] = [];
  for (const f of walk(staging)) {
    const path = relative(staging, f).split('\\').join('/');
    const h = createHash('sha256');
    const fh = await open(f, 'r');
    let size = 0;
    try {
      const buf = Buffer.alloc(COPY_PIECE);
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, size);
        if (!bytesRead) break;
        h.update(buf.subarray(0, bytesRead));
        size += bytesRead;
      }
    } finally {
      await fh.close();
    }
    const secret = secrets.has(path);
    files.push({
      path,
      size,
      sha256: h.digest('hex'),
      mode: secret || path.endsWith('.sqlite') ? 0o600 : statSync(f).mode & 0o777,
      ...(secret ? { secret: true } : {}),
    });
  }
  return {
    format: 'anxin-backup',
    version: FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    versions: {
      anxin: plan.anxinVersion,
      node: process.version,
      ...(facts ? { storeSchema: facts.schemaVersion } : {}),
    },
    source: { dataDir: plan.dataDir },
    ledger: {
      kind: 'embedded',
      channel: descriptor.channel,
      chaincode: descriptor.chaincode.name,
      height: last.number + 1,
      genesisHash: chain.genesisHash,
      lastBlockHash: chain.lastBlockHash,
      blocks: chain.blocks,
    },
    ...(facts ? { store: { kind: 'sqlite' as const, path: 'store.sqlite', ...facts } } : {}),
    kek: { ...(kekFp ? { fingerprint: kekFp } : {}), included: plan.includeKek },
    files,
  };
}
