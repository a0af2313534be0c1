/**
 * Temporary directories that clean themselves up when the test process exits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
let hooked = false;

/**
 * A fresh empty directory under the OS temp dir, removed when the process exits
 * (set ANXIN_KEEP_TMP=1 to keep them for a post-mortem).
 *
 * @example const dir = tempDir('ledger'); // /tmp/anxin-ledger-Xa12bC
 */
export function tempDir(prefix = 'test'): string {
  const dir = mkdtempSync(join(tmpdir(), `anxin-${prefix}-`));
  made.push(dir);
  if (!hooked) {
    hooked = true;
    process.on('exit', () => {
      if (process.env.ANXIN_KEEP_TMP) return;
      for (const d of made) rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}
