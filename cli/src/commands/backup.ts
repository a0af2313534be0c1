/**
 * anxin backup: a consistent snapshot of a data directory, made while its gateway runs
 * (see ../backup/snapshot), written as one file (../backup/format).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { constants as osConstants, getPriority, setPriority } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { CHAIN_DIR } from '@anxin/network/embedded/genesis';
import { CliError, bytesText, out, outJson, plural } from '../common';
import { BackupError, failJson } from '../backup/errors';
import { readPassphrase } from '../backup/passphrase';
import { takeSnapshot } from '../backup/snapshot';
import { writeBackup } from '../backup/write';
import { phaseBar } from '../progress';
import { VERSION } from '../program';

interface BackupCliOptions {
  data?: string;
  out: string;
  store?: string;
  withoutStore?: boolean;
  kek?: string;
  includeKek?: boolean;
  passphraseFile?: string;
  json?: boolean;
  progress: boolean;
  priority: 'low' | 'normal';
}

export interface BackupResult {
  file: string;
  bytes: number;
  height: number;
  lastBlockHash: string;
  genesisHash: string;
  store: { projection?: { block: number; txIndex: number }; schemaVersion: number } | null;
  kek: { fingerprint?: string; included: boolean };
  encrypted: boolean;
  files: number;
  /** How long the snapshot and the packing took (ms). */
  ms: number;
  /** The CPU niceness the backup ran at (10 by default: below the gateway's). */
  nice: number;
}

/**
 * A backup is background work beside a gateway serving people: on a machine with few cores its
 * copying and hashing would otherwise take CPU time the gateway's requests are waiting for (locks
 * are no issue: SQLite's WAL lets the gateway write through the backup's read transactions).
 * So it runs below normal priority unless told otherwise; where lowering is refused, it runs as it is.
 */
function lowerPriority(priority: 'low' | 'normal'): number {
  if (priority === 'low') {
    try {
      if (getPriority() < osConstants.priority.PRIORITY_BELOW_NORMAL)
        setPriority(osConstants.priority.PRIORITY_BELOW_NORMAL);
    } catch {
      // Not permitted here (a sandbox): a backup at normal priority is still a backup.
    }
  }
  return getPriority();
}

async function run(o: BackupCliOptions): Promise<BackupResult> {
  const started = Date.now();
  const nice = lowerPriority(o.priority);
  const dataDir = resolve(o.data ?? process.env.ANXIN_DATA_DIR ?? '');
  if (!o.data && !process.env.ANXIN_DATA_DIR)
    throw new CliError('say which data directory: --data DIR (or set ANXIN_DATA_DIR)');
  if (!existsSync(dataDir)) throw new BackupError('BACKUP_SOURCE', `${dataDir} does not exist`);
  const ledgerDir = existsSync(join(dataDir, 'ledger', CHAIN_DIR)) ? join(dataDir, 'ledger') : dataDir;
  if (!existsSync(join(ledgerDir, CHAIN_DIR)))
    throw new BackupError(
      'BACKUP_SOURCE',
      `${dataDir} holds no embedded ledger: on Fabric, back up the peers as Fabric documents`,
    );
  let storeFile: string | undefined;
  if (!o.withoutStore) {
    storeFile = resolve(o.store ?? join(dataDir, 'store.sqlite'));
    if (!existsSync(storeFile))
      throw new BackupError(
        'BACKUP_SOURCE',
        `no SQLite store at ${storeFile}: give --store FILE, or --without-store for a MongoDB store (dump it with mongodump first; see the README)`,
      );
  }
  const kekFile = resolve(o.kek ?? (process.env.ANXIN_KEK_FILE || join(dataDir, 'kek.key')));
  const passphrase = o.includeKek ? await readPassphrase(o.passphraseFile, true) : undefined;
  const out = resolve(o.out);
  if (!existsSync(dirname(out))) throw new CliError(`--out: ${dirname(out)} does not exist`, { code: 'INVALID_INPUT' });
  const staging = mkdtempSync(join(dirname(out), '.anxin-backup-'));
  const bar = phaseBar('backup', o.progress && !!process.stderr.isTTY);
  try {
    const manifest = await takeSnapshot(
      {
        dataDir,
        ledgerDir,
        ...(storeFile ? { storeFile } : {}),
        kekFile,
        includeKek: !!o.includeKek,
        anxinVersion: VERSION,
      },
      staging,
      (p) => bar.update(p.phase, p.done, p.total),
    );
    const { bytes } = await writeBackup(staging, manifest, out, {
      ...(passphrase ? { passphrase } : {}),
      onBytes: (done, total) => bar.update('write', done, total),
    });
    return {
      file: out,
      bytes,
      height: manifest.ledger.height,
      lastBlockHash: manifest.ledger.lastBlockHash,
      genesisHash: manifest.ledger.genesisHash,
      store: manifest.store
        ? {
            schemaVersion: manifest.store.schemaVersion,
            ...(manifest.store.projection ? { projection: manifest.store.projection } : {}),
          }
        : null,
      kek: manifest.kek,
      encrypted: !!passphrase,
      files: manifest.files.length,
      ms: Date.now() - started,
      nice,
    };
  } finally {
    bar.stop();
    rmSync(staging, { recursive: true, force: true });
  }
}

export function backupCommand(): Command {
  const c = new Command('backup')
    .summary('snapshot a data directory while its gateway runs, into one file anxin restore reads')
    .description(
      [
        "Copies a gateway's data directory as it stands at one instant, without stopping the gateway: the store and the ledger's state database through SQLite's online backup (a few hundred kilobytes per step, the gateway's writes go on meanwhile), the block files up to the last block committed at that instant, the network's descriptor and crypto material, and a manifest naming the height, every block's SHA-256, the last block's hash and the versions.",
        'The KEK (kek.key) is NOT in the file unless you ask with --include-kek; the file is then encrypted (AES-256-GCM, key from your passphrase by scrypt). Without it, keep the KEK apart (a password manager, a sealed envelope, an HSM) — a restore without the KEK gives a ledger and a store whose custodial keys and stored credentials cannot be opened.',
        "The file holds the ledger's node keys and the store (API key hashes, sealed keys): keep it as you keep the data directory.",
        "Exit code: 0 written; 2 on usage errors, or when the data directory cannot be backed up (--json: problem BACKUP_SOURCE, e.g. a store that is not this ledger's).",
      ].join('\n\n'),
    )
    .addOption(new Option('--data <dir>', "the gateway's data directory (default $ANXIN_DATA_DIR)"))
    .requiredOption('--out <file>', 'the backup file to write (written aside, then renamed into place)')
    .option('--store <file>', 'the SQLite store (default <data>/store.sqlite)')
    .addOption(
      new Option('--without-store', 'the ledger alone, for a MongoDB store dumped apart (mongodump first)').conflicts(
        'store',
      ),
    )
    .option(
      '--kek <file>',
      'the KEK (default $ANXIN_KEK_FILE, else <data>/kek.key): its fingerprint goes in the manifest',
    )
    .option('--include-kek', 'put the KEK and admin.key in the file, and encrypt it with a passphrase')
    .option('--passphrase-file <file>', "with --include-kek: the passphrase is this file's first line (else asked for)")
    .option('--json', 'print what was written as JSON (on refusal too: {"ok": false, "problem": …})')
    .option('--no-progress', 'no progress bar')
    .addOption(
      new Option(
        '--priority <level>',
        "CPU priority: low (nice 10, so the gateway's requests come first on a busy machine) or normal",
      )
        .choices(['low', 'normal'])
        .default('low'),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ anxin backup --data ./data --out /backup/anxin-$(date +%F).anxbackup
  $ anxin backup --data ./data --out anxin.anxbackup --include-kek --passphrase-file /root/backup.pass
  $ anxin backup --data ./data --without-store --out ledger.anxbackup     # store in MongoDB
  $ anxin restore /backup/anxin-2026-03-01.anxbackup --data ./data-restored --kek /safe/kek.key`,
    )
    .action(async (o: BackupCliOptions) => {
      let r: BackupResult;
      try {
        r = await run(o);
      } catch (e) {
        if (!o.json) throw e;
        failJson(e);
        return;
      }
      if (o.json) outJson({ ok: true, ...r });
      else {
        out(`Backed up ${plural(r.height, 'block')} (${plural(r.files, 'file')}, ${bytesText(r.bytes)}) to ${r.file}`);
        out(`Block ${r.height - 1} hash ${r.lastBlockHash}`);
        if (r.store?.projection) out(`Store projected to block ${r.store.projection.block - 1}`);
        out(
          r.kek.included
            ? 'The KEK is in the file, encrypted under your passphrase.'
            : `The KEK is not in the file${r.kek.fingerprint ? ` (fingerprint ${r.kek.fingerprint})` : ''}: keep it apart, a restore needs it.`,
        );
      }
    });
  return c;
}
