/**
 * Parallel endorsement, as Fabric does it: several endorsers simulate and sign at once
 * while one committer orders, validates and commits. Here the endorsers are worker
 * threads (./endorser-worker), each with its own read-only connection to the state
 * database; the main thread keeps ordering, MVCC/phantom validation, block writing and
 * state commits, so the validation in block order remains the arbiter.
 *
 * Workers start on demand — when several transactions are being endorsed at once — so a
 * ledger used one call at a time (tests, the CLI) never pays for them. Until they are
 * ready, and if one fails, endorsement runs in the main thread: simulation reads
 * committed state only, so where it runs changes nothing.
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { NsRwSetSpec } from '../blocks/tx';
import { LedgerError, type LedgerErrorCode } from '../ports/ledger';
import type { EndorseOutcome, EndorseRequest } from './endorser';

export interface WorkerInit {
  /** The ledger directory (descriptor, crypto material, state database, block files). */
  dir: string;
  /** Module whose `contracts` export the worker runs. */
  contractsModule: string;
}

export type WorkerCall = EndorseRequest & { id: number };
export type WorkerReply =
  | { id: number; out: PackedOutcome; error?: undefined }
  | { id: number; error: string; code?: LedgerErrorCode; out?: undefined }
  | { ready: true; id?: undefined }
  | { failed: string; id?: undefined };

/**
 * An endorsement outcome as it crosses threads: every byte string (envelope, result,
 * written values) in one ArrayBuffer that is transferred, not copied, with offsets.
 */
export type PackedOutcome =
  | { ok: false; txId: string; status: number; message: string }
  | {
      ok: true;
      txId: string;
      status: number;
      bytes: ArrayBuffer;
      envelope: number;
      payload: number;
      rwsets: Array<
        Omit<NsRwSetSpec, 'writes'> & { writes: Array<{ key: string; isDelete: boolean; length: number }> }
      >;
    };

/** Pack an outcome for posting; the second element is the transfer list. */
export function packOutcome(out: EndorseOutcome): [PackedOutcome, ArrayBuffer[]] {
  if (!out.ok) return [out, []];
  const w = out.rwsets.flatMap((s) => s.writes);
  let total = out.envelope.length + out.payload.length;
  for (const x of w) total += x.value.length;
  const bytes = new Uint8Array(total);
  bytes.set(out.envelope, 0);
  bytes.set(out.payload, out.envelope.length);
  let at = out.envelope.length + out.payload.length;
  for (const x of w) {
    bytes.set(x.value, at);
    at += x.value.length;
  }
  const packed: PackedOutcome = {
    ok: true,
    txId: out.txId,
    status: out.status,
    bytes: bytes.buffer,
    envelope: out.envelope.length,
    payload: out.payload.length,
    rwsets: out.rwsets.map((s) => ({
      namespace: s.namespace,
      reads: s.reads,
      rangeQueries: s.rangeQueries,
      writes: s.writes.map((x) => ({ key: x.key, isDelete: x.isDelete, length: x.value.length })),
    })),
  };
  return [packed, [bytes.buffer]];
}

/** The outcome again, its byte strings views into the transferred buffer. */
export function unpackOutcome(p: PackedOutcome): EndorseOutcome {
  if (!p.ok) return p;
  let at = p.envelope + p.payload;
  return {
    ok: true,
    txId: p.txId,
    status: p.status,
    envelope: new Uint8Array(p.bytes, 0, p.envelope),
    payload: Buffer.from(p.bytes, p.envelope, p.payload),
    rwsets: p.rwsets.map((s) => ({
      namespace: s.namespace,
      reads: s.reads,
      rangeQueries: s.rangeQueries,
      writes: s.writes.map((x) => {
        const value = Buffer.from(p.bytes, at, x.length);
        at += x.length;
        return { key: x.key, isDelete: x.isDelete, value };
      }),
    })),
  };
}

interface Slot {
  worker: Worker;
  ready: boolean;
  dead: boolean;
  inflight: number;
  exited: Promise<void>;
}

interface Call {
  req: EndorseRequest;
  /** The worker it was given to; undefined while it waits in the queue. */
  slot?: Slot;
  resolve: (o: EndorseOutcome) => void;
  reject: (e: Error) => void;
}

/**
 * A worker endorses at most WORKER_CONCURRENCY calls at once, first come first served
 * (see Limiter), and holds at most WORKER_BACKLOG: enough queued work to stay busy while
 * the main thread is committing a block. The rest wait here, in one queue.
 */
export const WORKER_CONCURRENCY = 16;
const WORKER_BACKLOG = 64;

const WORKER_FILE = join(__dirname, 'endorser-worker.js');

export class EndorserPool {
  private readonly slots: Slot[] = [];
  private readonly calls = new Map<number, Call>();
  private readonly queue: Call[] = [];
  private nextId = 1;
  private closed = false;
  private onReady?: () => void;
  private onFailure?: (why: string) => void;
  /** Why the last worker failed, if one did. */
  lastFailure?: string;

  constructor(
    readonly size: number,
    private readonly init: WorkerInit,
    /** Where a call goes when no worker can take it: the main thread's endorser. */
    private readonly fallback: (req: EndorseRequest) => Promise<EndorseOutcome>,
  ) {}

  get started(): boolean {
    return this.slots.length > 0;
  }

  /** Workers ready to take calls. */
  get ready(): number {
    let n = 0;
    for (const s of this.slots) if (s.ready && !s.dead) n++;
    return n;
  }

  /** Start the workers and wait until all are ready; rejects if one fails. */
  startAndWait(): Promise<void> {
    this.start();
    return new Promise<void>((resolve, reject) => {
      const check = () => {
        if (this.ready === this.size) {
          this.onReady = undefined;
          this.onFailure = undefined;
          resolve();
        }
      };
      this.onReady = check;
      this.onFailure = (why) => {
        this.onReady = undefined;
        this.onFailure = undefined;
        reject(new Error(why));
      };
      check();
    });
  }

  /** Start the workers (once). */
  start(): void {
    if (this.started || this.closed) return;
    for (let i = 0; i < this.size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_FILE, { workerData: this.init });
    worker.unref();
    let onExit!: () => void;
    const slot: Slot = { worker, ready: false, dead: false, inflight: 0, exited: new Promise((r) => (onExit = r)) };
    worker.on('message', (m: WorkerReply) => {
      if (m.id === undefined) {
        if ('ready' in m) {
          slot.ready = true;
          this.onReady?.();
        } else this.fail(slot, m.failed);
        return;
      }
      const call = this.calls.get(m.id);
      if (!call) return;
      this.calls.delete(m.id);
      this.settled(slot);
      if (m.out) call.resolve(unpackOutcome(m.out));
      else call.reject(m.code ? new LedgerError(m.code, m.error) : new Error(m.error));
    });
    worker.on('error', (e) => this.fail(slot, e.stack ?? e.message));
    worker.on('exit', (code) => {
      if (!this.closed) this.fail(slot, `endorsement worker exited with code ${code}`);
      onExit();
    });
    return slot;
  }

  /** A worker is gone: what it was doing is endorsed again in the main thread. */
  private fail(slot: Slot, why: string): void {
    if (slot.dead) return;
    slot.dead = true;
    slot.ready = false;
    this.lastFailure = why;
    this.onFailure?.(why);
    void slot.worker.terminate();
    for (const [id, call] of this.calls) {
      if (call.slot !== slot) continue;
      this.calls.delete(id);
      this.fallback(call.req).then(call.resolve, call.reject);
    }
    slot.inflight = 0;
    slot.worker.unref();
    this.pump();
  }

  private settled(slot: Slot): void {
    if (--slot.inflight === 0) slot.worker.unref();
    this.pump();
  }

  /** Endorse on a worker (first come, first served), or in the main thread when none is ready. */
  endorse(req: EndorseRequest): Promise<EndorseOutcome> {
    if (this.closed || this.ready === 0) return this.fallback(req);
    return new Promise<EndorseOutcome>((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      this.pump();
    });
  }

  /**
   * Hand queued calls to workers: to the first one with a free slot (under light load one
   * warm worker does everything: fewer thread wake-ups, no cold second thread taking a
   * stray call), else to the least loaded one with backlog room.
   */
  private pump(): void {
    while (this.queue.length) {
      let best: Slot | undefined;
      for (const s of this.slots) {
        if (!s.ready || s.dead) continue;
        if (s.inflight < WORKER_CONCURRENCY) {
          best = s;
          break;
        }
        if (s.inflight < WORKER_BACKLOG && (!best || s.inflight < best.inflight)) best = s;
      }
      if (!best) {
        // No worker left at all: what waits is endorsed here.
        if (this.ready === 0)
          for (const call of this.queue.splice(0)) this.fallback(call.req).then(call.resolve, call.reject);
        return;
      }
      const call = this.queue.shift()!;
      const id = this.nextId++;
      call.slot = best;
      this.calls.set(id, call);
      // Keep the process alive while a worker holds a call of ours.
      if (best.inflight++ === 0) best.worker.ref();
      best.worker.postMessage({
        id,
        fn: call.req.fn,
        args: call.req.args,
        timestamp: call.req.timestamp,
      } satisfies WorkerCall);
    }
  }

  /** Stop the workers; calls still out are endorsed in the main thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const call of [...this.calls.values(), ...this.queue.splice(0)])
      this.fallback(call.req).then(call.resolve, call.reject);
    this.calls.clear();
    await Promise.all(
      this.slots.map(async (s) => {
        s.dead = true;
        await s.worker.terminate();
        await s.exited;
      }),
    );
  }
}
