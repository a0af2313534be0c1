/**
 * A verification thread: runs `verifyCredential` — parsing, the signature, the registry,
 * the report — off the main thread, which is left to HTTP. The registry arrives with
 * the thread's start and every change after it; an anchor is asked of the main thread,
 * which reads the store (and the ledger when the store has not projected it yet), so
 * the thread holds no connection of its own. The clock is the main thread's, sent with
 * every request.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { IssuerRecord } from '@anxin/schemas';
import type { AnchorProjection } from '../../ports/store';
import type { ToMain, ToWorker } from './pool';
import { NODE_CRYPTO } from './node-crypto';
import { fromThreadError, toThreadError } from './thread-error';
import { issuersWithUscc, verifyCredential } from './verify';

const port = parentPort!;
const issuers = new Map<string, IssuerRecord>(
  (workerData as { issuers: IssuerRecord[] }).issuers.map((i) => [i.id, i]),
);
const anchors = new Map<number, { resolve(a: AnchorProjection | undefined): void; reject(e: Error): void }>();
let nextQuestion = 0;

function post(m: ToMain): void {
  port.postMessage(m);
}

function anchor(id: string): Promise<AnchorProjection | undefined> {
  const q = nextQuestion++;
  return new Promise((resolve, reject) => {
    anchors.set(q, { resolve, reject });
    post({ t: 'anchor?', q, id });
  });
}

port.on('message', (m: ToWorker) => {
  switch (m.t) {
    case 'issuer':
      issuers.set(m.issuer.id, m.issuer);
      break;
    case 'anchor': {
      const waiting = anchors.get(m.q);
      anchors.delete(m.q);
      if (m.error !== undefined) waiting?.reject(fromThreadError(m.error));
      else waiting?.resolve(m.anchor);
      break;
    }
    case 'verify': {
      const now = new Date(m.now);
      const deps = {
        issuer: (id: string) => issuers.get(id),
        issuersByUscc: (uscc: string) => issuersWithUscc(issuers.values(), uscc),
        anchor,
        now: () => now,
        crypto: NODE_CRYPTO,
      };
      verifyCredential(m.credential, deps, m.opts).then(
        (report) => post({ t: 'report', id: m.id, report }),
        (e: unknown) => post({ t: 'failed', id: m.id, error: toThreadError(e) }),
      );
      break;
    }
  }
});

// Every module is loaded: the pool may end this thread without cutting a load short.
post({ t: 'ready' });
