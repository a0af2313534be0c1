/** Packing a snapshot directory into one backup file, written aside and renamed into place. */
import { createHash } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BACKUP_END,
  BACKUP_MAGIC,
  BodyWriter,
  FORMAT_VERSION,
  newEncryption,
  type BackupHeader,
  type Manifest,
} from './format';

/**
 * Write `manifest` and the files it lists (from `staging`) to `out`. With a passphrase the
 * body is encrypted. The file appears at `out` only once complete and synced.
 */
export async function writeBackup(
  staging: string,
  manifest: Manifest,
  out: string,
  opts: { passphrase?: string; onBytes?: (done: number, total: number) => void } = {},
): Promise<{ bytes: number }> {
  const manifestBytes = Buffer.from(JSON.stringify(manifest), 'utf8');
  const enc = opts.passphrase ? await newEncryption(opts.passphrase) : undefined;
  const header: BackupHeader = {
    format: 'anxin-backup',
    version: FORMAT_VERSION,
    manifest: { length: manifestBytes.length, sha256: createHash('sha256').update(manifestBytes).digest('hex') },
    ...(enc ? { encryption: enc.encryption } : {}),
  };
  const headerLine = Buffer.from(`${JSON.stringify(header)}\n`, 'utf8');
  const tmp = `${out}.partial-${process.pid}`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.write(Buffer.concat([Buffer.from(BACKUP_MAGIC, 'latin1'), headerLine]));
    const body = new BodyWriter(fh, headerLine, enc?.key);
    await body.write(manifestBytes);
    const total = manifest.files.reduce((a, f) => a + f.size, 0);
    let done = 0;
    const buf = Buffer.alloc(1024 * 1024);
    for (const f of manifest.files) {
      const src = await open(join(staging, f.path), 'r');
      try {
        for (let at = 0; at < f.size;) {
          const { bytesRead } = await src.read(buf, 0, Math.min(buf.length, f.size - at), at);
          if (!bytesRead) throw new Error(`${f.path} changed while it was packed`);
          await body.write(Buffer.from(buf.subarray(0, bytesRead)));
          at += bytesRead;
          done += bytesRead;
          opts.onBytes?.(done, total);
        }
      } finally {
        await src.close();
      }
    }
    await body.write(Buffer.from(BACKUP_END, 'latin1'));
    await body.end();
    await fh.sync();
    await fh.close();
    await rename(tmp, out);
    return { bytes: statSync(out).size };
  } catch (e) {
    await fh.close().catch(() => undefined);
    rmSync(tmp, { force: true });
    throw e;
  }
}
