/**
 * A replay worker thread: blocks in, facts and signature findings out; later, the
 * statement rechecks of the transactions the main thread found valid.
 */
import { parentPort } from 'node:worker_threads';
import { BlockChecker, type CheckRequest, type RecheckTx } from './check';
import type { MspSet } from './msp';

type Message =
  | { type: 'check'; id: number; req: CheckRequest; msps?: { version: number; set: MspSet } }
  | { type: 'recheck'; id: number; seq: number; txs: RecheckTx[] }
  | { type: 'drop'; seq: number };

const checker = new BlockChecker();
const port = parentPort!;

port.on('message', (m: Message) => {
  switch (m.type) {
    case 'check':
      try {
        if (m.msps) checker.setMsps(m.msps.version, m.msps.set);
        port.postMessage({ id: m.id, result: checker.check(m.req) });
      } catch (e) {
        port.postMessage({ id: m.id, error: (e as Error).message });
      }
      break;
    case 'recheck':
      checker.recheck(m.seq, m.txs).then(
        (result) => port.postMessage({ id: m.id, result }),
        (e: Error) => port.postMessage({ id: m.id, error: e.message }),
      );
      break;
    case 'drop':
      checker.drop(m.seq);
      break;
  }
});
