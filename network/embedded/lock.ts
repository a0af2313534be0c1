/**
 * One writer per ledger directory: a LOCK file holding the owner's pid (a stale one, whose
 * process is gone, is taken over), and a set of the directories open in this process.
 */
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { LedgerError } from '../ports/ledger';

/** Ledger directories open in this process: a second open would be a second writer. */
const openHere = new Set<string>();

export function takeLock(file: string): void {
  const key = resolvePath(file);
  if (openHere.has(key))
    throw new LedgerError('UNAVAILABLE', 'the ledger in this directory is already open in this process');
  takeFileLock(file);
  openHere.add(key);
}

function takeFileLock(file: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid && pid !== process.pid && alive(pid)) {
        throw new LedgerError('UNAVAILABLE', `the ledger in this directory is open in process ${pid}`);
      }
      rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new LedgerError('UNAVAILABLE', 'could not lock the ledger directory');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function releaseLock(file: string): void {
  openHere.delete(resolvePath(file));
  try {
    if (existsSync(file) && Number(readFileSync(file, 'utf8').trim()) === process.pid) rmSync(file, { force: true });
  } catch {
    // nothing to release
  }
}
