/**
 * Where the state-free checks run: on worker threads, blocks round-robin, or in the main
 * thread with size 0. Either way the same BlockChecker does the work.
 *
 * A block goes out once (its bytes copied into their own buffer and transferred, so the
 * copy is the block and not the file it was read from) and comes back as facts; its
 * statement rechecks go later to the same worker, which kept the decoded block.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { BlockChecker, type CheckRequest, type CheckResult, type RecheckResult, type RecheckTx } from './check';
import type { MspSet } from './msp';

export interface Dispatched {
  seq: number;
  slot: number;
  result: Promise<CheckResult>;
}

type Reply = { id: number; error?: string; result?: unknown };

interface Slot {
  w: Worker;
  mspVersion: number;
  waiting: Map<number, { resolve: (r: never) => void; reject: (e: Error) => void }>;
}

export class CheckPool {
  private readonly slots: Slot[] = [];
  private readonly inline?: BlockChecker;
  private next = 0;
  private seq = 0;
  private msgId = 0;
  private msps: { version: number; set: MspSet } = { version: 0, set: { msps: [] } };
  private failed?: Error;
  private closing = false;

  constructor(readonly size: number) {
    if (size === 0) {
      this.inline = new BlockChecker();
      return;
    }
    for (let i = 0; i < size; i++) {
      // A young generation large enough for a block's worth of decoded objects: scavenges stay cheap.
      const w = new Worker(join(__dirname, 'worker.js'), { resourceLimits: { maxYoungGenerationSizeMb: 96 } });
      const slot: Slot = { w, mspVersion: -1, waiting: new Map() };
      w.on('message', (m: Reply) => {
        const p = slot.waiting.get(m.id);
        slot.waiting.delete(m.id);
        if (m.error !== undefined) p?.reject(new Error(m.error));
        else p?.resolve(m.result as never);
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => {
        if (code !== 0 && !this.closing) this.fail(new Error(`a replay worker stopped (exit code ${code})`));
      });
      this.slots.push(slot);
    }
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const s of this.slots) {
      for (const p of s.waiting.values()) p.reject(e);
      s.waiting.clear();
    }
  }

  private call<T>(slot: Slot, msg: object, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    const id = ++this.msgId;
    return new Promise<T>((resolve, reject) => {
      slot.waiting.set(id, { resolve: resolve as (r: never) => void, reject });
      slot.w.postMessage({ id, ...msg }, transfer);
    });
  }

  /** The MSPs to judge signatures by from now on. */
  setMsps(version: number, set: MspSet): void {
    this.msps = { version, set };
    this.inline?.setMsps(version, set);
  }

  check(req: Omit<CheckRequest, 'seq'>): Dispatched {
    const seq = ++this.seq;
    if (this.inline) {
      try {
        return { seq, slot: -1, result: Promise.resolve(this.inline.check({ ...req, seq })) };
      } catch (e) {
        return { seq, slot: -1, result: Promise.reject(e as Error) };
      }
    }
    const slotNo = this.next;
    this.next = (this.next + 1) % this.size;
    const slot = this.slots[slotNo]!;
    const send = slot.mspVersion !== this.msps.version;
    slot.mspVersion = this.msps.version;
    const own = new Uint8Array(req.bytes);
    const result = this.call<CheckResult>(
      slot,
      { type: 'check', req: { ...req, seq, bytes: own }, ...(send ? { msps: this.msps } : {}) },
      [own.buffer as ArrayBuffer],
    );
    return { seq, slot: slotNo, result };
  }

  recheck(d: Dispatched, txs: RecheckTx[]): Promise<RecheckResult> {
    if (this.inline) return this.inline.recheck(d.seq, txs);
    return this.call<RecheckResult>(this.slots[d.slot]!, { type: 'recheck', seq: d.seq, txs });
  }

  drop(d: Dispatched): void {
    if (this.inline) this.inline.drop(d.seq);
    else if (!this.failed) this.slots[d.slot]!.w.postMessage({ type: 'drop', seq: d.seq });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((s) => s.w.terminate()));
  }
}
