/**
 * Signature checks spread over worker threads (or done inline with workers = 0).
 * Blocks go round-robin; each worker learns the MSP set when it changes.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { MspRegistry, type MspSet } from './msp';
import { checkSignaturesOfBytes, type SignatureResult } from './signatures';

export class SignaturePool {
  private readonly workers: Array<{ w: Worker; mspVersion: number; pending: number }> = [];
  private readonly waiting = new Map<number, { resolve: (r: SignatureResult) => void; reject: (e: Error) => void }>();
  private next = 0;
  private seq = 0;
  private inline?: { version: number; msps: MspRegistry };

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(join(__dirname, 'worker.js'));
      w.on('message', (m: { id: number; error?: string } & SignatureResult) => {
        const p = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        this.workers[i]!.pending--;
        if (m.error) p?.reject(new Error(m.error));
        else p?.resolve({ findings: m.findings, signatures: m.signatures });
      });
      w.on('error', (e) => {
        for (const p of this.waiting.values()) p.reject(e);
        this.waiting.clear();
      });
      this.workers.push({ w, mspVersion: -1, pending: 0 });
    }
  }

  check(bytes: Uint8Array, msps: MspSet, mspVersion: number, firstConfig: boolean): Promise<SignatureResult> {
    if (this.size === 0) {
      if (this.inline?.version !== mspVersion) this.inline = { version: mspVersion, msps: new MspRegistry(msps) };
      return Promise.resolve(checkSignaturesOfBytes(bytes, this.inline.msps, { firstConfig }));
    }
    const slot = this.workers[this.next]!;
    this.next = (this.next + 1) % this.size;
    const id = ++this.seq;
    const send = slot.mspVersion !== mspVersion;
    slot.mspVersion = mspVersion;
    slot.pending++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      slot.w.postMessage({ id, bytes, mspVersion, firstConfig, ...(send ? { msps } : {}) });
    });
  }

  get inFlight(): number {
    return this.waiting.size;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((x) => x.w.terminate()));
  }
}
