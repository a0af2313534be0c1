/**
 * The yardstick: raw ECDSA P-256 verifications per second (node:crypto, one-shot, DER)
 * over a real envelope of the ledger, on one core and on every core at once.
 */
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { decodeBlock } from '@anxin/network';
import { dataDirSource } from '@anxin/cli';

/** A real signature of the ledger to verify over and over: block 1's first envelope, by its creator. */
export async function sampleSignature(
  dir: string,
): Promise<{ key: ReturnType<typeof createPublicKey>; message: Uint8Array; signature: Uint8Array }> {
  for await (const raw of dataDirSource(dir).blocks(1)) {
    const t = decodeBlock(raw.bytes).transactions[0]!;
    return {
      key: createPublicKey(t.creator.certPem),
      message: Buffer.from(t.payload),
      signature: Buffer.from(t.signature),
    };
  }
  throw new Error(`${dir} has no block 1`);
}

export function rawVerifyRate(
  sample: { key: ReturnType<typeof createPublicKey>; message: Uint8Array; signature: Uint8Array },
  ms: number,
): number {
  for (let i = 0; i < 200; i++) cryptoVerify('sha256', sample.message, sample.key, sample.signature);
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 50; i++) cryptoVerify('sha256', sample.message, sample.key, sample.signature);
    n += 50;
    now = performance.now();
  }
  return (n / (now - start)) * 1000;
}

/** The same loop on `threads` worker threads at once: what all cores give together. */
export async function rawVerifyRateThreads(
  threads: number,
  sample: { key: ReturnType<typeof createPublicKey>; message: Uint8Array; signature: Uint8Array },
  ms: number,
): Promise<number> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { createPublicKey, verify } = require('node:crypto');
    const key = createPublicKey(workerData.pem);
    for (let i = 0; i < 200; i++) verify('sha256', workerData.message, key, workerData.signature);
    let n = 0; const start = performance.now(); let now = start;
    while (now - start < workerData.ms) { for (let i = 0; i < 50; i++) verify('sha256', workerData.message, key, workerData.signature); n += 50; now = performance.now(); }
    parentPort.postMessage(n / (now - start) * 1000);`;
  const pem = sample.key.export({ format: 'pem', type: 'spki' }) as string;
  const rates = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<number>((done, fail) => {
          const w = new Worker(code, {
            eval: true,
            workerData: { pem, message: sample.message, signature: sample.signature, ms },
          });
          w.once('message', (r: number) => {
            done(r);
            void w.terminate();
          });
          w.once('error', fail);
        }),
    ),
  );
  return rates.reduce((a, b) => a + b, 0);
}
