/**
 * A signature-checking worker thread: blocks in, findings out.
 */
import { parentPort } from 'node:worker_threads';
import { MspRegistry, type MspSet } from './msp';
import { checkSignaturesOfBytes } from './signatures';

let registry: { version: number; msps: MspRegistry } | undefined;

parentPort!.on('message', (m: { id: number; bytes: Uint8Array; mspVersion: number; msps?: MspSet; firstConfig: boolean }) => {
  try {
    if (m.msps) registry = { version: m.mspVersion, msps: new MspRegistry(m.msps) };
    if (!registry || registry.version !== m.mspVersion) throw new Error('worker has no MSPs for this block');
    const r = checkSignaturesOfBytes(m.bytes, registry.msps, { firstConfig: m.firstConfig });
    parentPort!.postMessage({ id: m.id, ...r });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: (e as Error).message });
  }
});
