/**
 * Verification threads. One Node thread serving HTTP is the ceiling of a single-process
 * gateway: parsing a credential, checking its signature and building the report cost as
 * much as the HTTP around them. With `threads` > 0 that work runs in worker threads
 * (each request to the least busy), the main thread keeps HTTP, authentication, rate
 * limits, the store and the ledger; with 0 it runs inline. Either way the report is made
 * by the same `verifyCredential`, with the same registry and the same anchors.
 *
 * @example
 * const pool = new VerifierPool(2, verifyDeps(services), services.projection);
 * const report = await pool.verify(credentialText, { nonce: 'n-0630-chengdu' });
 * await pool.close();
 */
import type { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { IssuerRecord } from '@anxin/schemas';
import type { AnchorProjection } from '../../ports/store';
import type { VerificationReport } from '../../verify';
import { fromThreadError, toThreadError, type ThreadError } from './thread-error';
import { verifyCredential, type VerifyDeps, type VerifyOptions } from './verify';

export type ToWorker =
  | { t: 'issuer'; issuer: IssuerRecord }
  | { t: 'anchor'; q: number; anchor?: AnchorProjection | undefined; error?: ThreadError }
  | { t: 'verify'; id: number; credential: string; opts: VerifyOptions; now: number };

export type ToMain =
  | { t: 'ready' }
  | { t: 'anchor?'; q: number; id: string }
  | { t: 'report'; id: number; report: VerificationReport }
  | { t: 'failed'; id: number; error: ThreadError };

interface Pending {
  resolve(r: VerificationReport): void;
  reject(e: Error): void;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
  /** It has made a report: it started, so a replacement will too. */
  answered: boolean;
  /** Settles once the thread has loaded its code (or ended). */
  loaded: Promise<void>;
}

/** How long close() waits for a thread still loading its code before it ends it all the same. */
const LOAD_WAIT_MS = 10_000;

/** Threads in a row that die before their first report, after which the pool verifies inline. */
const MAX_STILLBORN = 3;

/** The registry's source: its issuers now, and an 'issuer' event for every change. */
export interface RegistrySource extends EventEmitter {
  readonly issuers: ReadonlyMap<string, IssuerRecord>;
}

export class VerifierPool {
  private readonly threads: Thread[] = [];
  private nextId = 0;
  private closed = false;
  private stillborn = 0;
  private readonly onIssuer = (issuer: IssuerRecord) => {
    for (const t of this.threads) t.worker.postMessage({ t: 'issuer', issuer } satisfies ToWorker);
  };

  constructor(
    readonly size: number,
    private readonly deps: VerifyDeps,
    private readonly registry: RegistrySource,
    private readonly onError: (e: unknown) => void = () => undefined,
    /** The thread's code (tests give one that cannot start). */
    private readonly workerFile = join(__dirname, 'worker.js'),
  ) {
    for (let i = 0; i < size; i++) this.threads.push(this.spawn());
    registry.on('issuer', this.onIssuer);
  }

  private spawn(): Thread {
    const worker = new Worker(this.workerFile, {
      workerData: { issuers: [...this.registry.issuers.values()] },
    });
    let loaded!: () => void;
    const thread: Thread = {
      worker,
      pending: new Map(),
      answered: false,
      loaded: new Promise<void>((r) => (loaded = r)),
    };
    worker.on('message', (m: ToMain) => (m.t === 'ready' ? loaded() : this.receive(thread, m)));
    worker.once('exit', () => loaded());
    // A thread that dies fails what it held, and is replaced — unless threads keep dying
    // before their first report (they cannot start here): then the pool verifies inline.
    const lost = (why: Error) => {
      for (const p of thread.pending.values()) p.reject(why);
      thread.pending.clear();
      const at = this.threads.indexOf(thread);
      if (at < 0 || this.closed) return;
      this.stillborn = thread.answered ? 0 : this.stillborn + 1;
      this.onError(why);
      if (this.stillborn >= MAX_STILLBORN) this.threads.splice(at, 1);
      else this.threads[at] = this.spawn();
    };
    worker.once('error', lost);
    worker.once('exit', (code) => lost(new Error(`verification thread exited with code ${code}`)));
    worker.unref();
    return thread;
  }

  private receive(thread: Thread, m: Exclude<ToMain, { t: 'ready' }>): void {
    if (m.t === 'anchor?') {
      this.deps.anchor!(m.id).then(
        (anchor) => thread.worker.postMessage({ t: 'anchor', q: m.q, anchor } satisfies ToWorker),
        (e: unknown) => thread.worker.postMessage({ t: 'anchor', q: m.q, error: toThreadError(e) } satisfies ToWorker),
      );
      return;
    }
    thread.answered = true;
    const p = thread.pending.get(m.id);
    thread.pending.delete(m.id);
    if (m.t === 'report') p?.resolve(m.report);
    else p?.reject(fromThreadError(m.error));
  }

  /** The report for one credential, made in the least busy thread (or inline with no threads). */
  verify(credential: string, opts: VerifyOptions = {}): Promise<VerificationReport> {
    if (this.threads.length === 0 || this.closed) return verifyCredential(credential, this.deps, opts);
    let thread = this.threads[0]!;
    for (const t of this.threads) if (t.pending.size < thread.pending.size) thread = t;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({
        t: 'verify',
        id,
        credential,
        opts,
        now: this.deps.now().getTime(),
      } satisfies ToWorker);
    });
  }

  /** Stop the threads; later calls verify inline. */
  async close(): Promise<void> {
    this.closed = true;
    this.registry.off('issuer', this.onIssuer);
    const threads = this.threads.splice(0);
    // Ending a thread while it still loads its modules can abort the whole process in Node 20
    // (V8's "IsGraphAsync must be used on an instantiated module", from require() of an ES
    // module cut off half-way): a gateway refused at start-up closes its pool at once.
    await Promise.all(
      threads.map(async (t) => {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([t.loaded, new Promise((r) => (timer = setTimeout(r, LOAD_WAIT_MS)))]);
        clearTimeout(timer);
        await t.worker.terminate();
      }),
    );
  }
}
