/**
 * anxin restore: check a backup file through and through, then lay it out as a new data
 * directory a gateway starts on (see ../backup/restore).
 */
import { Command } from 'commander';
import { bytesText, out, outJson, plural } from '../common';
import { failJson } from '../backup/errors';
import { readPassphrase } from '../backup/passphrase';
import { restoreBackup } from '../backup/restore';
import { phaseBar } from '../progress';

interface RestoreCliOptions {
  data: string;
  kek?: string;
  passphraseFile?: string;
  json?: boolean;
  progress: boolean;
}

export function restoreCommand(): Command {
  return new Command('restore')
    .summary('check a backup file and lay it out as a new data directory')
    .description(
      [
        "Reads a file written by anxin backup and refuses it, naming what is wrong, unless everything holds: the manifest against the header's digest, every file against its size and SHA-256, every block against the manifest and the hash chain (data_hash, previous_hash, block 0 and the last block), the ledger's state database at the last block, the store's projection not ahead of the ledger and its anchors the ledger's own transactions, and the KEK (from the file, or --kek) the one the store's records were sealed under. Then it brings the store's projection up to the backup's last block (naming any status change it projected there: the gateway's notifier, which tells verifiers, did not see those) and moves the directory into place, so that a gateway started on it (ANXIN_DATA_DIR) serves exactly what was committed up to the backup point, and anxin replay --data DIR --store DIR/store.sqlite passes.",
        'It restores only into a new or empty directory, and leaves nothing behind when it refuses.',
        'Exit code: 0 restored; 1 the backup is damaged or does not hold together (--json names the problem: BACKUP_FORMAT, BACKUP_TRUNCATED, BACKUP_MANIFEST, BACKUP_DAMAGED, BACKUP_FILE, BACKUP_BLOCK, BACKUP_IDENTITY); 2 usage errors, a wrong passphrase (BACKUP_PASSPHRASE), a later format (BACKUP_VERSION), a directory not empty (RESTORE_TARGET).',
      ].join('\n\n'),
    )
    .argument('<file>', 'the backup file')
    .requiredOption('--data <dir>', 'the new data directory (must not exist, or be empty)')
    .option('--kek <file>', 'the KEK kept apart from the backup, to place in the new directory as kek.key')
    .option('--passphrase-file <file>', "an encrypted backup's passphrase is this file's first line (else asked for)")
    .option('--json', 'print the outcome as JSON (on refusal too: {"ok": false, "problem": …})')
    .option('--no-progress', 'no progress bar')
    .addHelpText(
      'after',
      `
Examples:
  $ anxin restore /backup/anxin-2026-03-01.anxbackup --data /srv/anxin/data --kek /safe/kek.key
  $ anxin restore anxin.anxbackup --data ./data2 --passphrase-file /root/backup.pass   # made with --include-kek
  $ ANXIN_DATA_DIR=/srv/anxin/data npm start
  $ anxin replay --data /srv/anxin/data --store /srv/anxin/data/store.sqlite`,
    )
    .action(async (file: string, o: RestoreCliOptions) => {
      const bar = phaseBar('restore', o.progress && !!process.stderr.isTTY);
      try {
        const r = await restoreBackup({
          file,
          target: o.data,
          passphrase: () => readPassphrase(o.passphraseFile, false),
          ...(o.kek ? { kekFile: o.kek } : {}),
          onBytes: (done, total) => bar.update('read', done, total),
        });
        bar.stop();
        if (o.json) outJson({ ok: true, ...r });
        else {
          out(
            `Restored ${plural(r.height, 'block')} (${plural(r.files, 'file')}, ${bytesText(r.bytes)}) into ${r.dataDir}`,
          );
          out(`Block ${r.height - 1} hash ${r.lastBlockHash} (backup made ${r.createdAt})`);
          const missed = r.store?.unnotified ?? [];
          if (missed.length) {
            out(
              `${plural(missed.length, 'status change')} came after the store's copy and were projected here without notices: verifiers who checked these credentials may not have been told (GET /v1/credentials/:id/verifiers names them):`,
            );
            for (const m of missed)
              out(`  ${m.credentialId}  ${m.status}${m.reason ? ` (${m.reason})` : ''}  block ${m.block}`);
          }
          if (r.kek.placed === 'no')
            out(
              `No KEK placed: set ANXIN_KEK_FILE to the KEK kept apart${r.kek.fingerprint ? ` (fingerprint ${r.kek.fingerprint})` : ''}, or copy it to ${r.dataDir}/kek.key (mode 600), before starting the gateway.`,
            );
        }
      } catch (e) {
        bar.stop();
        if (!o.json) throw e;
        failJson(e);
      }
    });
}
