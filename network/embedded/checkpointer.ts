/**
 * WAL checkpoints of the state database, off the committing thread.
 *
 * SQLite folds its write-ahead log back into the database file in a checkpoint; left
 * to itself it does so inside a COMMIT, which then takes a hundred milliseconds instead
 * of ten, on the thread that commits blocks. Here a small worker thread with its own
 * connection runs PASSIVE checkpoints (they never block the writer or the readers),
 * and the committing connection keeps automatic checkpoints only as a high safety net
 * (see StateDb). Checkpoints are about the index database only: the block files, the
 * source of truth, are fsynced before anything reaches it.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** How often the checkpointer folds the WAL back (ms). */
const INTERVAL_MS = 1000;

export class Checkpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  constructor(dbPath: string) {
    this.worker = new Worker(__filename, { workerData: { dbPath } });
    this.worker.unref();
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    // A failed checkpointer only means checkpoints happen in COMMIT again (the safety net).
    this.worker.on('error', () => undefined);
  }

  async close(): Promise<void> {
    this.worker.postMessage('close');
    const timer = setTimeout(() => void this.worker.terminate(), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}

function run(): void {
  const db = new Database((workerData as { dbPath: string }).dbPath, { fileMustExist: true });
  const timer = setInterval(() => {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Busy or failing this time: the next round, or the safety net, will do it.
    }
  }, INTERVAL_MS);
  parentPort!.on('message', (m) => {
    if (m !== 'close') return;
    clearInterval(timer);
    db.close();
    parentPort!.close();
  });
}

if (!isMainThread && (workerData as { dbPath?: string } | null)?.dbPath) run();
